"""GetMetricData against AWS's metric identity, through boto3: namespace, name and the exact set of dimensions.

Run: PYTHONPATH=infra/local .venv/bin/python -m unittest discover -s infra/local/tests (make test does).
"""

import datetime
import unittest

from test_launches import Emulator


class GetMetricDataTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = Emulator()
        cls.cw = cls.emulator.client("cloudwatch")
        now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
        cls.start = now - datetime.timedelta(hours=1)
        cls.end = now

        def put(namespace, dimensions, value, unit="Count"):
            cls.cw.put_metric_data(
                Namespace=namespace,
                MetricData=[
                    {
                        "MetricName": "Sent",
                        "Dimensions": dimensions,
                        "Timestamp": cls.start + datetime.timedelta(minutes=m, seconds=s),
                        "Value": value,
                        "Unit": unit,
                    }
                    for m in range(60)
                    for s in (0, 30)
                ],
            )

        put("app", [{"Name": "QueueName", "Value": "jobs"}], 1.0)
        put("app", [{"Name": "QueueName", "Value": "jobs"}, {"Name": "Env", "Value": "prod"}], 100.0)
        put("app", [], 10000.0)
        put("other", [{"Name": "QueueName", "Value": "jobs"}], 1e6)

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()

    def query(self, dimensions, stat="Sum", period=60, order="TimestampAscending", **extra):
        out = self.cw.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "q",
                    "MetricStat": {
                        "Metric": {"Namespace": "app", "MetricName": "Sent", "Dimensions": dimensions},
                        "Period": period,
                        "Stat": stat,
                        **extra,
                    },
                }
            ],
            StartTime=self.start,
            EndTime=self.end,
            ScanBy=order,
        )
        return out["MetricDataResults"][0]

    def test_a_metric_is_its_namespace_name_and_exact_dimensions(self):
        one = self.query([{"Name": "QueueName", "Value": "jobs"}])
        self.assertEqual(len(one["Values"]), 60)
        self.assertEqual(set(one["Values"]), {2.0}, "two datapoints a minute of the one metric, nothing of the others")
        both = self.query([{"Name": "Env", "Value": "prod"}, {"Name": "QueueName", "Value": "jobs"}])
        self.assertEqual(set(both["Values"]), {200.0}, "dimension order does not matter")
        bare = self.query([])
        self.assertEqual(set(bare["Values"]), {20000.0}, "no dimensions is its own metric")

    def test_periods_statistics_order_and_units(self):
        five = self.query([{"Name": "QueueName", "Value": "jobs"}], stat="SampleCount", period=300)
        self.assertEqual((len(five["Values"]), set(five["Values"])), (12, {10.0}))
        self.assertEqual(five["Timestamps"][0], self.start)
        down = self.query([{"Name": "QueueName", "Value": "jobs"}], order="TimestampDescending")
        self.assertGreater(down["Timestamps"][0], down["Timestamps"][-1])
        other_unit = self.query([{"Name": "QueueName", "Value": "jobs"}], Unit="Seconds")
        self.assertEqual(other_unit["Values"], [])


if __name__ == "__main__":
    unittest.main()
