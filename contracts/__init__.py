"""The lab's contracts, one source per fact: the settings and how they are read, the
services and their ports, the scenario parameters and their bounds, the runtime paths.

A leaf: it imports nothing of the lab's other packages and no Django, so every service
(the Django app, the slow upstream, the load generators) and the `lab` CLI can stand on it.
"""
