"""GetMetricData for MetricStat queries: each datapoint looked at once, and a metric identified as AWS identifies it.

moto scans every datapoint of the window once per period of every query, so six hours of one-minute data for a
hundred metrics takes minutes; and it matches a query without dimensions to datapoints that have some, and a query
with dimensions whatever their namespace. AWS identifies a metric by its namespace, its name and its exact set of
dimensions: a query returns that metric's datapoints only, one value per period that has any. This indexes the
window's datapoints by that identity once, then buckets each query's by period. Requests with expressions go to
moto's own code unchanged.
"""

from collections import defaultdict
from datetime import timedelta

from moto.cloudwatch import models

ORIGINAL = {}


def _identity(namespace, name, dimensions):
    return namespace, name, tuple(sorted(dimensions))


def get_metric_data(self, queries, start_time, end_time, scan_by="TimestampAscending"):
    start_time = start_time.replace(microsecond=0)
    end_time = end_time.replace(microsecond=0)
    if start_time >= end_time or any("MetricStat" not in q for q in queries):
        return ORIGINAL["get_metric_data"](self, queries, start_time, end_time, scan_by)
    index = defaultdict(list)
    for md in self.get_all_metrics():
        if start_time <= md.timestamp < end_time:
            index[_identity(md.namespace, md.name, ((d.name, d.value) for d in md.dimensions))].append(md)
    results = []
    for query in queries:
        stat = query["MetricStat"]
        metric = stat["Metric"]
        dimensions = ((d["Name"], d["Value"]) for d in metric.get("Dimensions", []) or [])
        period = int(stat["Period"])
        unit = stat.get("Unit")
        buckets = defaultdict(list)
        for md in index.get(_identity(metric["Namespace"], metric["MetricName"], dimensions), []):
            if not unit or md.unit == unit:
                buckets[int((md.timestamp - start_time).total_seconds()) // period].append(md)
        timestamps, values = [], []
        for i in sorted(buckets):
            stats = models.Statistics([stat["Stat"]], start_time + timedelta(seconds=i * period))
            stats.metric_data = buckets[i]
            values.append(stats.get_statistics_for_type(stat["Stat"]))
            timestamps.append(stats.timestamp)
        if scan_by == "TimestampDescending":
            timestamps.reverse()
            values.reverse()
        if query.get("ReturnData", True):
            label = query.get("Label") or f"{metric['MetricName']} {stat['Stat']}"
            results.append(
                {"id": query["Id"], "label": label, "values": values, "timestamps": timestamps, "status_code": "Complete"}
            )
    return results


def install():
    if ORIGINAL:
        return
    ORIGINAL["get_metric_data"] = models.CloudWatchBackend.get_metric_data
    models.CloudWatchBackend.get_metric_data = get_metric_data
