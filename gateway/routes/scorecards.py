"""Scoring routes: scorecards and the entries explaining them, rankings (also drawn as SVG), the
ledger → scorecards recomputation, manual scores, survey results and corrections.

Each route names its roles and schemas, then makes one RPC. Nothing else. The ranking is drawn
as plain SVG text, as ``party_study.quotas_svg`` draws the study quotas.
"""
from werkzeug.wrappers import Response

from gateway.http import json_response, query_args, read_json, route
from gateway.routes.party_study import _text
from services.assessments.domain.catalogue import LEDGER_REPLAY_ROLES, SCORER_ROLES
from services.assessments.schemas.scorecards import (
    CorrectionSchema,
    EntryListQuerySchema,
    LedgerEntryPageSchema,
    LedgerEntrySchema,
    ManualScoreSchema,
    RankingQuerySchema,
    RankingSchema,
    RecomputationQuerySchema,
    RecomputationSchema,
    ScorecardDetailSchema,
    ScorecardListQuerySchema,
    ScorecardPageSchema,
    SurveyResultCreateSchema,
    SurveyResultListQuerySchema,
    SurveyResultPageSchema,
    SurveyResultSchema,
)

SCORECARDS = "/api/v1/scorecards"
RANKINGS = "/api/v1/rankings"
LEDGER = "/api/v1/points-ledger"
SURVEYS = "/api/v1/assessment-schemes/<int:id>/survey-results"
TAG = "scorecards"
BAR_COLOUR, BOTTOM_COLOUR, THRESHOLD_COLOUR = "#4e79a7", "#e15759", "#f28e2b"


def ranking_svg(ranking: dict) -> str:
    """A bar per subject of the page (its points; bottom N in red), a heading per group, the
    star thresholds as dashed vertical lines; the scale runs from the lowest of 0 and the
    totals to the highest of the totals and the thresholds."""
    width, x0, label_width, scale, bar_height = 900, 10, 230, 520.0, 14
    items, thresholds = ranking["items"], ranking["star_thresholds"]
    low = min([0.0] + [item["points"] for item in items])
    high = max([1.0] + [item["points"] for item in items] + list(thresholds))
    span = high - low

    def x_of(points: float) -> float:
        return x0 + label_width + scale * (points - low) / span

    title = (f"排名 ranking — {ranking['scheme_name']} — {ranking['within_code']} — "
             f"{ranking['period_key']} — bottom {ranking['bottom_n']} in red")
    parts = [f'<text x="{x0}" y="20" font-weight="bold" font-size="14">{_text(title)}</text>']
    top = y = 48
    group = None
    for item in items:
        if item["group_code"] != group:
            group = item["group_code"]
            parts.append(f'<text x="{x0}" y="{y + 11}" font-weight="bold">{_text(group)} '
                         f'({item["group_size"]})</text>')
            y += bar_height + 6
        colour = BOTTOM_COLOUR if item["bottom"] else BAR_COLOUR
        start, end = sorted((x_of(0.0), x_of(item["points"])))
        label = f'{item["rank"]}. {item["subject_name"] or item["subject_ref"]} {"★" * item["stars"]}'
        parts.append(f'<text x="{x0 + 10}" y="{y + 11}">{_text(label)}</text>'
                     f'<rect x="{start:.1f}" y="{y}" width="{end - start:.1f}" '
                     f'height="{bar_height}" fill="{colour}"/><text x="{end + 4:.1f}" '
                     f'y="{y + 11}">{item["points"]:g}</text>')
        y += bar_height + 6
    if not items:
        parts.append(f'<text x="{x0}" y="{y + 11}" fill="#777">no subjects on this page</text>')
        y += bar_height + 6
    parts.append(f'<line x1="{x_of(0.0):.1f}" y1="{top - 4}" x2="{x_of(0.0):.1f}" y2="{y}" '
                 f'stroke="#bbb"/>')
    for stars, threshold in enumerate(thresholds, start=1):
        line_x = x_of(threshold)
        parts.append(f'<line x1="{line_x:.1f}" y1="{top - 4}" x2="{line_x:.1f}" y2="{y}" '
                     f'stroke="{THRESHOLD_COLOUR}" stroke-dasharray="4 3"/><text '
                     f'x="{line_x + 3:.1f}" y="{top - 6}" fill="{THRESHOLD_COLOUR}">'
                     f'{stars}★ {threshold:g}</text>')
    if ranking.get("next_cursor"):
        parts.append(f'<text x="{x0}" y="{y + 28}" fill="#777">more rows: pass cursor='
                     f'{_text(ranking["next_cursor"])}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y + 40}" '
            f'font-family="sans-serif" font-size="11"><rect width="100%" height="100%" '
            f'fill="white"/>{"".join(parts)}</svg>\n')


class ScorecardRoutes:
    @route("GET", SCORECARDS, query=ScorecardListQuerySchema, response=ScorecardPageSchema,
           tag=TAG, summary="Scorecards of the subjects in your scope (filter by scheme_id, "
                            "period_key, subject_ref, within_code): total points and stars")
    def list_scorecards(self, request):
        return self.assessments.scorecards_list(query_args(request))

    @route("GET", SCORECARDS + "/recomputation", roles=LEDGER_REPLAY_ROLES,
           query=RecomputationQuerySchema, response=RecomputationSchema, tag=TAG,
           summary="Recompute every scorecard of a scheme (in your scope) from its ledger "
                   "entries and compare with the kept figures: the differences (none: equal)")
    def recompute_scorecards(self, request):
        return self.assessments.scorecards_recompute(query_args(request))

    @route("GET", SCORECARDS + "/<int:id>", response=ScorecardDetailSchema, tag=TAG,
           summary="One scorecard: its total, each indicator's points and weighted points, its "
                   "stars and its rank within its parent")
    def get_scorecard(self, request, id):
        return self.assessments.scorecards_get(id)

    @route("GET", SCORECARDS + "/<int:id>/entries", query=EntryListQuerySchema,
           response=LedgerEntryPageSchema, tag=TAG,
           summary="The ledger entries making a scorecard, entry by entry: source, rule, event, "
                   "reason, points (the explanation)")
    def scorecard_entries(self, request, id):
        return self.assessments.scorecards_entries(id, query_args(request))

    @route("GET", RANKINGS, query=RankingQuerySchema, response=RankingSchema, tag=TAG,
           summary="Subjects ranked by total within their parent (group=within: all together); "
                   "ties share a rank (1, 2, 2, 4); stars by the scheme's thresholds; the "
                   "bottom N flagged; subjects without entries rank with 0")
    def rankings(self, request):
        return self.assessments.rankings_get(query_args(request))

    @route("GET", RANKINGS + ".svg", query=RankingQuerySchema, tag=TAG,
           summary="The same ranking as an SVG bar chart (image/svg+xml): a bar per subject, "
                   "the star thresholds as lines, the bottom N in red")
    def rankings_chart(self, request):
        ranking = self.assessments.rankings_get(query_args(request))
        return Response(ranking_svg(ranking), status=200,
                        content_type="image/svg+xml; charset=utf-8")

    @route("POST", LEDGER + "/manual-scores", roles=SCORER_ROLES, body=ManualScoreSchema,
           response=LedgerEntrySchema, status=201, tag=TAG,
           summary="Enter a manual score (an inspection) on a manual indicator of an active "
                   "scheme, for a subject below you, with the reason")
    def enter_manual_score(self, request):
        return json_response(self.assessments.manual_scores_create(read_json(request)),
                             status=201)

    @route("POST", LEDGER + "/<int:id>/corrections", roles=SCORER_ROLES, body=CorrectionSchema,
           response=LedgerEntrySchema, status=201, tag=TAG,
           summary="Correct an entry to `points`: a new entry adding the difference (source "
                   "correction, next revision); the original stays; a corrected entry's latest "
                   "correction is what is corrected")
    def correct_ledger_entry(self, request, id):
        return json_response(self.assessments.ledger_entries_correct(id, read_json(request)),
                             status=201)

    @route("POST", SURVEYS, roles=SCORER_ROLES, body=SurveyResultCreateSchema,
           response=SurveyResultSchema, status=201, tag=TAG,
           summary="Record a satisfaction survey 满意度调查: full marks × satisfied ÷ respondents "
                   "into the ledger; a later result for the same subject and period replaces "
                   "the earlier by a correction entry")
    def record_survey_result(self, request, id):
        return json_response(self.assessments.survey_results_create(id, read_json(request)),
                             status=201)

    @route("GET", SURVEYS, query=SurveyResultListQuerySchema, response=SurveyResultPageSchema,
           tag=TAG, summary="A scheme's survey results in your scope, with the satisfaction "
                            "rate against the 80% target")
    def list_survey_results(self, request, id):
        return self.assessments.survey_results_list(id, query_args(request))
