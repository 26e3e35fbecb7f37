"""AWS's own API models (botocore's), loaded once per service: what shapes a request or answer has."""

import functools

from botocore.loaders import Loader
from botocore.model import ServiceModel


@functools.lru_cache(maxsize=None)
def service_model(name):
    """The service's model (`cloudwatch`, `autoscaling`)."""
    return ServiceModel(Loader().load_service_model(name, "service-2"), name)
