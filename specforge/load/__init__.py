"""`specforge load`: a running implementation driven at a target rate, open loop, with the spec as the
oracle of every call, judged against latency, error-rate and throughput budgets (docs/load.md).

- `budget`: budgets' text, nearest-rank percentiles and verdicts (independent of how samples were taken);
- `engine`: the open-loop driver (sessions, scheduled arrivals, latency from the scheduled time);
- `report`: the results as a table, JSON and an HTML page with an SVG latency plot.
"""
