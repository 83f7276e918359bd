"""The chart client's target: a list of worker addresses becomes one list target round_robin can balance."""
import pytest

from numeros_common.chart_channel import channel_target


@pytest.mark.parametrize(("address", "target"), [
    ("127.0.0.1:50052,127.0.0.1:50053", "ipv4:127.0.0.1:50052,127.0.0.1:50053"),
    ("localhost:50052, 127.0.0.1:50053", "ipv4:127.0.0.1:50052,127.0.0.1:50053"),  # names resolved, once
    ("[::1]:50052,[::1]:50053", "ipv6:[::1]:50052,[::1]:50053"),
    ("127.0.0.1:50051", "127.0.0.1:50051"),  # one address: gRPC resolves it itself
    ("chart:50051", "chart:50051"),
    ("dns:///chart:50051", "dns:///chart:50051"),
    ("ipv4:10.0.0.1:1,10.0.0.2:1", "ipv4:10.0.0.1:1,10.0.0.2:1"),
])
def test_targets(address, target):
    assert channel_target(address) == target


@pytest.mark.parametrize(("address", "message"), [
    ("127.0.0.1:50052,[::1]:50053", "mixes IPv4 and IPv6"),
    ("127.0.0.1:50052,127.0.0.1", "expected host:port"),
])
def test_bad_lists_are_refused_naming_the_problem(address, message):
    with pytest.raises(ValueError, match=message):
        channel_target(address)
