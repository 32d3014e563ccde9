"""A float traced as a value is shown as Python's repr of the float.

Pins tests/sim/test_api.cpp ApiTest.TraceTakesADouble.
"""
from refloop import trace

DEFAULTS = {}


async def main():
    trace("t", ratio=0.5, third=1.0 / 3.0)
