"""Reads whose SQL is built once per process, not on every request.

Django's ORM builds a query anew on every call: it clones the queryset for
each `filter()`, resolves every lookup, then compiles the tree to SQL. For the
few reads every case page makes (the case, a page of its timeline, its
evidence), that building cost more than the database took to answer: about
1 ms of the case page's 19 ms per query on this machine, against 0.1 ms to run
it on SQLite.

`prepared(build)` keeps what the ORM made the first time. `build` takes whole
numbers (ids), and optionally keyword-only "shape" arguments (a page size, a
flag), and returns a queryset; it is called once per database connection and
shape with stand-in numbers, the SQL and its parameters are kept, and
each later call only puts the real numbers in place of the stand-ins, runs
the statement through Django's cursor (so query counting, logging and
execute wrappers see it as usual) and makes model instances the way Django's
own ModelIterable does (fields, `select_related` models, annotations), or
tuples as `values_list()` does.

What it refuses, rather than guess: a stand-in number that the ORM wrote into
the SQL text instead of a parameter, or that it changed on the way (both
raise at the first call, so a test of the page catches them), and arguments
that are not whole numbers. What changes a query's shape (an `if`, a LIMIT)
must be a keyword argument, never one of the ids: the plan of an id's first
value would be reused for every other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from inspect import signature

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

# Whole numbers no real argument takes at the moment of building (they are only ever compiled,
# never run), inside every integer column's range so the ORM keeps them as parameters.
_STAND_IN_BASE = 1_987_654_301


@dataclass(frozen=True)
class _Plan:
    sql: str
    # Each parameter: (the ORM's value, None) or (None, the index of the argument it stands for).
    params: tuple[tuple[object, int | None], ...]
    # What a row becomes: "models" (instances), "tuples" (values_list) or "flat" (values_list(flat=True)).
    rows: str
    compiler: object
    init_list: list[str]
    fields: slice
    populators: list
    annotations: dict[str, int]


class Prepared:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self.arity = sum(
            1 for parameter in signature(build).parameters.values() if parameter.kind != parameter.KEYWORD_ONLY
        )
        self.key = f"{build.__module__}.{build.__qualname__}"
        self.model: type[Model] | None = None

    def __call__(self, *args: int, **shape) -> list:
        if len(args) != self.arity or any(type(arg) is not int for arg in args):
            raise TypeError(f"{self.key} takes {self.arity} whole numbers, got {args!r}")
        if self.model is None:
            self.model = self.build(*range(_STAND_IN_BASE, _STAND_IN_BASE + self.arity), **shape).model
        connection = connections[router.db_for_read(self.model)]
        # Plans live on the connection: each thread has its own, and a plan made for one
        # database's SQL is never run on another. Each shape (the keyword arguments) has its own.
        plans = connection.__dict__.setdefault("_settle_prepared", {})
        key = (self.key, *sorted(shape.items()))
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = self._plan(connection, shape)
        values = [args[index] if index is not None else value for value, index in plan.params]
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, values)
            rows = cursor.fetchall()
        return self._objects(plan, rows, connection.alias)

    def _plan(self, connection, shape: dict) -> _Plan:
        stand_ins = {_STAND_IN_BASE + index: index for index in range(self.arity)}
        queryset = self.build(*stand_ins, **shape)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        found = set()
        mapped = []
        for value in params:
            if type(value) is int and value in stand_ins:
                found.add(stand_ins[value])
                mapped.append((None, stand_ins[value]))
            else:
                mapped.append((value, None))
        written = [index for number, index in stand_ins.items() if str(number) in sql]
        if written or len(found) != self.arity:
            raise ValueError(f"{self.key}: the ORM did not keep every argument as a parameter; do not prepare it")
        rows = _ROWS.get(queryset._iterable_class)
        if rows is None:
            raise ValueError(f"{self.key}: only model rows and values_list() can be prepared")
        if rows != "models":
            return _Plan(sql, tuple(mapped), rows, compiler, [], slice(0), [], {})
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        return _Plan(
            sql=sql,
            params=tuple(mapped),
            rows=rows,
            compiler=compiler,
            init_list=[column[0].target.attname for column in select[start:end]],
            fields=slice(start, end),
            populators=get_related_populators(klass_info, select, connection.alias),
            annotations=dict(compiler.annotation_col_map or {}),
        )

    @staticmethod
    def _objects(plan: _Plan, rows: list, alias: str) -> list:
        if plan.rows == "tuples":  # as ValuesListIterable
            return list(plan.compiler.results_iter([rows], tuple_expected=True))
        if plan.rows == "flat":
            return [row[0] for row in plan.compiler.results_iter([rows])]
        # As django.db.models.query.ModelIterable, from rows already fetched.
        model = plan.compiler.klass_info["model"]
        objects = []
        for row in plan.compiler.results_iter([rows]):
            obj = model.from_db(alias, plan.init_list, row[plan.fields])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, position in plan.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


_ROWS = {ModelIterable: "models", ValuesListIterable: "tuples", FlatValuesListIterable: "flat"}


def prepared(build: Callable[..., QuerySet]) -> Prepared:
    """Decorate a function of ids that returns a queryset: calling it runs that query, built once."""
    return Prepared(build)
