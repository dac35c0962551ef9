"""What `commonground stats --json` counts for impact."""

STATS_MODELS = {
    "indicators": "impact.Indicator",
    "impact_measurements": "impact.Measurement",
    "impact_targets": "impact.Target",
    "impact_comparisons": "impact.Comparison",
    "impact_reports": "impact.Report",
    "impact_report_versions": "impact.ReportVersion",
}
