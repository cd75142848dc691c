using TcpMsg.Fuzz.Targets;
using TcpMsg.Protocol;

namespace TcpMsg.Fuzz;

/// <summary>
/// Every decoder tcpmsg has, in one place: a new decoder becomes part of the campaign by adding its
/// target here.
/// </summary>
public static class FuzzTargets
{
    public static IReadOnlyList<IFuzzTarget> All { get; } =
    [
        new PlainFramingTarget(PlainFraming.Lines),
        new PlainFramingTarget(PlainFraming.Whole),
        new ProxyHeaderTarget(),
        new ConfirmedFrameTarget(),
        new OctetFramingTarget(),
        new SyslogParserTarget(),
    ];
}
