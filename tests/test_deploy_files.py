"""docker-compose.yml and the Dockerfile can't be run here (no Docker engine); read them instead."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service_with_its_command():
    services = compose()["services"]
    assert set(services) >= {"postgres", "redis", "web", "worker", "beat"}
    assert "gunicorn config.wsgi:application" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert "media:/data/media" in services[name]["volumes"]
    assert "media" in compose()["volumes"]


def test_dockerfile_installs_what_rendering_needs_and_serves_the_app():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11" in dockerfile
    for package in ("libharfbuzz-subset0", "fonts-noto-cjk", "texlive-lang-chinese"):
        assert package in dockerfile
    assert "pip install" in dockerfile and "collectstatic" in dockerfile
    assert 'CMD ["gunicorn", "config.wsgi:application"' in dockerfile


def test_system_package_script_matches_the_dockerfile():
    script = (ROOT / "scripts" / "install-system-packages.sh").read_text()
    run_line = next(line for line in script.splitlines() if line.startswith("RUN_PACKAGES="))
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in run_line.split("=", 1)[1].strip('"').split():
        assert package in dockerfile, f"{package} is installed by make but not by the Dockerfile"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / "README.md").read_text()
    assert "make test" in (ROOT / ".ci" / "run").read_text()
