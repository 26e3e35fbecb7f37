"""SQS at queue depths the backlog tests use (thousands of messages).

moto decides each message's visibility with `unix_time_millis()`, which builds two datetimes per call, and every
SendMessage reads all queue attributes — counting visible, in-flight and delayed messages — so filling a queue is
quadratic and 1,500 messages take about forty seconds. The same comparisons on `time.time()` are about ten times
cheaper and give the same answers (the emulator never freezes time).
"""
import time

from moto.sqs import models


def install():
    def visible(self):
        return time.time() * 1000 > self.visible_at

    def delayed(self):
        return time.time() * 1000 < self.delayed_until

    models.Message.visible = property(visible)
    models.Message.delayed = property(delayed)
