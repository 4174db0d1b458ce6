"""`lab report`: exercise results (`lab exercise run --json`) as one self-contained HTML page,
its charts inline SVG. Reading and checking (`runs`), the charts (`charts`), the page
(`page`), writing it whole or not at all (`output`), the command (`cli`)."""
