"""Remote monitoring endpoints: observations, thresholds, alerts, check-in links (issue 6)."""

from ninja import Router

router = Router(tags=["remote monitoring"])
