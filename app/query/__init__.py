"""The query engine for lists: filters resolved once, a named plan, its execution.

Read app.query.events first: it walks a GET /events request through every step.

    events.py, claims.py   one list each, top to bottom: resolve, plan, execute, shape
    event_filters.py       EventFilters -> ResolvedEvents (references looked up, conditions)
    claim_filters.py       ClaimQuery -> ResolvedClaims
    places.py              the bbox and near filters
    where.py               Condition (collected and checked forms) and Where
    lists.py               Listing (table, orders, sort indexes, text, links) and Request
    planner.py             PlanName, Plan (name, reason, conditions) and the choice of plan
    executor.py            runs a Plan: rows, next cursor, total
    dialects.py            the SQLite and PostgreSQL strategies: full text, hints, periods
"""
