from django.urls import path

from . import api, exports, views

app_name = "dashboard"

api_urlpatterns = [
    path("dashboard/summary/", api.SummaryApi.as_view(), name="dashboard-summary"),
    path("dashboard/charts/", api.ChartsApi.as_view(), name="dashboard-charts"),
    path("dashboard/activity/", api.ActivityApi.as_view(), name="dashboard-activity"),
    path("dashboard/audit.csv", exports.AuditCsvApi.as_view(), name="dashboard-audit-csv"),
    path("dashboard/activity.csv", exports.FeedCsvApi.as_view(), name="dashboard-activity-csv"),
    path("dashboard/charts.csv", exports.ChartsCsvApi.as_view(), name="dashboard-charts-csv"),
]

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("business/", views.business, name="business"),
]
