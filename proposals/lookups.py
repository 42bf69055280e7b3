"""``field__any=[…]``: membership in a list of values as one array parameter on PostgreSQL.

``pk__in`` with a list of 2,000 ids sends 2,000 parameters that the server parses and plans one by
one: counting a keyword search's matches took 13 ms that way and 2.3 ms as ``id = ANY(%s)``.
Other databases get the plain ``IN (…)``. Registered for every field in ``ProposalsConfig.ready``.
"""

from django.db.models import Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
