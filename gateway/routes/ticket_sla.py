"""SLA routes: the tickets at risk and the three rates (JSON, and as a picture). One RPC each.

The SVG bar chart follows ``bench/chart.py``'s approach (plain SVG text, no plotting library).
"""
from html import escape

from werkzeug.wrappers import Response

from gateway.http import query_args, route
from services.tickets.domain.sla import SATISFACTION_TARGET
from services.tickets.schemas.sla import (
    AtRiskPageSchema,
    AtRiskQuerySchema,
    RatesQuerySchema,
    RatesReportSchema,
)

RATES = "/api/v1/ticket-rates"
BARS = (("response", "响应率 response", "#4e79a7"),
        ("resolution", "按时解决率 on-time resolution", "#59a14f"),
        ("satisfaction", "满意率 satisfaction", "#f28e2b"))


def _bar_group(x0: int, y: int, scale: float, row: dict, title: str) -> tuple[list[str], int]:
    """One row of the report: its code, then a bar per rate with its n/d (or "no data")."""
    label_width, bar_height = 230, 16
    parts = [f'<text x="{x0}" y="{y + 12}" font-weight="bold">{escape(title)}</text>']
    y += 18
    for key, label, colour in BARS:
        figure = row[key]
        parts.append(f'<text x="{x0 + 10}" y="{y + 12}">{escape(label)}</text>')
        if figure["rate"] is None:
            text = f"no data ({figure['pending']} pending)" if figure["pending"] else "no data"
            parts.append(f'<text x="{x0 + label_width}" y="{y + 12}" fill="#777">{text}</text>')
        else:
            length = scale * figure["rate"]
            parts.append(f'<rect x="{x0 + label_width}" y="{y}" width="{length:.1f}" '
                         f'height="{bar_height}" fill="{colour}"/>')
            text = f"{figure['rate']:.1%} ({figure['numerator']}/{figure['denominator']})"
            if figure.get("target_met") is False:
                text += " below target"
            parts.append(f'<text x="{x0 + label_width + length + 4:.1f}" y="{y + 12}">'
                         f'{escape(text)}</text>')
        y += bar_height + 4
    return parts, y + 10


def rates_svg(report: dict) -> str:
    """The rates as horizontal bars (0–100%), the area first, then each row of the page, with
    the satisfaction target drawn as a line."""
    width, x0, label_width, scale = 820, 10, 230, 420.0
    title = (f"工单三率 ticket rates — {report['area']} — {report['from']} … {report['to']} "
             f"({report['timezone']}), as of {report['as_of'][:16]}")
    parts = [f'<text x="{x0}" y="20" font-weight="bold" font-size="14">{escape(title)}</text>']
    y = 48
    rows = [(f"{report['area']} (whole area)", report["total"])]
    rows += [(row["code"], row) for row in report["items"]]
    top = y
    for title_text, row in rows:
        group, y = _bar_group(x0, y, scale, row, title_text)
        parts += group
    for share in (0.0, 1.0):  # the scale: 0% and 100%
        axis_x = x0 + label_width + scale * share
        parts.append(f'<line x1="{axis_x:.1f}" y1="{top}" x2="{axis_x:.1f}" y2="{y}" '
                     f'stroke="#bbb"/><text x="{axis_x - 8:.1f}" y="{top - 2}" fill="#777">'
                     f'{share:.0%}</text>')
    target_x = x0 + label_width + scale * SATISFACTION_TARGET
    parts.append(f'<line x1="{target_x:.1f}" y1="{top}" x2="{target_x:.1f}" y2="{y}" '
                 f'stroke="#e15759" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{target_x + 3:.1f}" y="{y + 12}" fill="#e15759">satisfaction '
                 f'target {SATISFACTION_TARGET:.0%}</text>')
    if report.get("next_cursor"):
        parts.append(f'<text x="{x0}" y="{y + 28}" fill="#777">more rows: pass cursor='
                     f'{escape(report["next_cursor"])}</text>')
    height = y + 40
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'font-family="sans-serif" font-size="11"><rect width="100%" height="100%" '
            f'fill="white"/>{"".join(parts)}</svg>\n')


class TicketSlaRoutes:
    @route("GET", "/api/v1/tickets/at-risk", query=AtRiskQuerySchema, response=AtRiskPageSchema,
           tag="tickets", summary="Open tickets due within N hours, overdue or breached, most "
                                  "urgent first (the SLA dashboard)")
    def tickets_at_risk(self, request):
        return self.tickets.sla_at_risk(query_args(request))

    @route("GET", RATES, query=RatesQuerySchema, response=RatesReportSchema, tag="tickets",
           summary="The three rates 响应率 / 解决率 / 满意率 of an area for a period, with "
                   "numerators and denominators; per community or street with group_by")
    def ticket_rates(self, request):
        return self.tickets.sla_rates(query_args(request))

    @route("GET", RATES + ".svg", query=RatesQuerySchema, tag="tickets",
           summary="The same rates as an SVG bar chart (image/svg+xml)")
    def ticket_rates_chart(self, request):
        report = self.tickets.sla_rates(query_args(request))
        return Response(rates_svg(report), status=200, content_type="image/svg+xml; charset=utf-8")
