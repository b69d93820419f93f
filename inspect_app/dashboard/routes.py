"""The dashboard (领导, staff; a secretary his group's own) and the department table."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from inspect_app.access import can_view_dashboard, dashboard_group_ids
from inspect_app.clock import today_local
from inspect_app.dashboard import services
from inspect_app.listing.filters import read_filters

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.app_context_processor
def helpers():
    def may_view_dashboard() -> bool:
        return current_user.is_authenticated and can_view_dashboard(current_user)

    return {"can_view_dashboard": may_view_dashboard}


def _chosen():
    group_ids = dashboard_group_ids(current_user)
    choices = services.campaigns(group_ids)
    campaign = services.choose_campaign(choices, read_filters(request.args).campaign_id)
    return choices, campaign, services.scope_for(campaign, group_ids)


@bp.get("/")
@login_required
def index():
    choices, campaign, scope = _chosen()
    return render_template(
        "dashboard/index.html",
        campaigns=choices,
        campaign=campaign,
        own_groups=scope.group_ids is not None,
        today=today_local(),
        **services.overview(scope, today_local()),
    )


@bp.get("/departments")
@login_required
def departments():
    choices, campaign, scope = _chosen()
    return render_template(
        "dashboard/departments.html",
        campaigns=choices,
        campaign=campaign,
        own_groups=scope.group_ids is not None,
        today=today_local(),
        **services.department_table(scope, today_local()),
    )
