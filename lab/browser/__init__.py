"""`lab browser`: the lab's pages loaded in a real (headless) Chromium, TTFB, FCP and LCP."""
