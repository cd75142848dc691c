namespace TcpMsg.Bench.Scenarios;

/// <summary>How big the scenarios are: the sizes, a quick development run, or a smoke run for the tests.</summary>
internal enum Scale
{
    Full,
    Quick,
    Smoke,
}
