"""`python -m grafana [--check]`: write (or check) grafana/dashboards/*.json."""

import sys

from grafana.generate import main

sys.exit(main(sys.argv[1:]))
