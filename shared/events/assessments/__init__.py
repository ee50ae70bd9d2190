"""The events the assessments service produces: one module per area (importing registers them)."""
import shared.events.assessments.appraisals  # noqa: F401  (appraisals: counted, member bands, branch ratings, cards)
import shared.events.assessments.schemes  # noqa: F401  (schemes: the admission gate, rule changes)
import shared.events.assessments.scorecards  # noqa: F401  (scorecards: manual scores, surveys, corrections)
import shared.events.assessments.titles  # noqa: F401  (titles: nominated, noticed, granted, withdrawn)
