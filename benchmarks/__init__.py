"""chainrule's benchmark suite: the seed workloads, chainrule beside PyTorch, each run in a fresh process.

``python -m benchmarks`` runs everything (``make bench``); ``python -m benchmarks W1 W6`` runs a
few workloads; ``python -m benchmarks --help`` lists the options. See ``benchmarks/README.md``
for the method and ``benchmarks/RESULTS.md`` for the last run.

The parent process (:mod:`benchmarks.runner`) never imports numpy, torch or chainrule: every
measurement runs in a child (:mod:`benchmarks.child`) so thread settings, imports and peak
memory belong to that one run.
"""
