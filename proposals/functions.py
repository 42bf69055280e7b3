"""SQL functions the ORM does not write."""

from django.db.models import CharField, Func


class JoinedNames(Func):
    """The values of ``expression`` over a subquery's rows, joined with 「、」 in their order
    (NULL when there are none), as one value: ``STRING_AGG`` on PostgreSQL, ``GROUP_CONCAT`` on
    SQLite. An aggregate written as a function, so that the subquery has no GROUP BY."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="STRING_AGG(%(expressions)s, '、' ORDER BY %(expressions)s)", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="GROUP_CONCAT(%(expressions)s, '、')", **extra)
