"""What the two import commands share: who imports, how a result is printed, the exit codes."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from accounts.roles import roles_of

EXIT_PROBLEMS = 1  # the file has problems: nothing was imported
EXIT_NOTHING_NEW = 3  # every row is already there: nothing to import
EPILOG = "Exit status: 0 imported (or, with --dry-run, would import); 1 the file has problems, nothing imported; 3 nothing new."


def importer_find(username: str):
    """The congress officer or admin the registrations are recorded under; without --by, the
    only active superuser, if there is exactly one."""
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户「{username}」。")
    else:
        admins = list(users.filter(is_superuser=True)[:2])
        if len(admins) != 1:
            raise CommandError("请用 --by 指明以哪位人大代表工委工作人员或管理员的名义导入。")
        user = admins[0]
    if not roles_of(user).manages_proposals:
        raise CommandError(f"用户「{user.username}」不是人大代表工委工作人员或管理员，不能导入。")
    return user


def result_report(command, result, *, noun: str, dry_run: bool) -> None:
    """Print every problem or the counts; raise the non-zero exit when nothing was imported."""
    for problem in result.problems:
        command.stderr.write(str(problem))
    if result.problems:
        raise CommandError(f"文件中有 {len(result.problems)} 处问题，未导入任何内容。", returncode=EXIT_PROBLEMS)
    skipped = len(result.skipped)
    if not result.planned:
        raise CommandError(f"没有新内容可导入（{skipped} 行已存在）。", returncode=EXIT_NOTHING_NEW)
    if dry_run:
        command.stdout.write(f"检查通过（未写入）：将导入 {len(result.planned)} {noun}，跳过已存在的 {skipped} 行。")
        return
    command.stdout.write(command.style.SUCCESS(f"已导入 {result.created} {noun}，跳过已存在的 {skipped} 行。"))
