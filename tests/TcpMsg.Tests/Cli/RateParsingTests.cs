using TcpMsg.Cli.Parsing;

namespace TcpMsg.Tests.Cli;

public sealed class RateParsingTests
{
    [Theory]
    [InlineData("1000/s", 1000)]
    [InlineData("1000", 1000)]
    [InlineData("60/m", 1)]
    [InlineData("90/min", 1.5)]
    [InlineData("3600/h", 1)]
    [InlineData("0.5/s", 0.5)]
    public void Rates_are_messages_per_second(string text, double expected)
    {
        Assert.True(Rate.TryParse(text, out var perSecond, out var error), error);
        Assert.Equal(expected, perSecond, 9);
    }

    [Theory]
    [InlineData("0/s")]
    [InlineData("-5/s")]
    [InlineData("many")]
    [InlineData("10/d")]
    [InlineData("")]
    public void Anything_else_is_an_error(string text) =>
        Assert.False(Rate.TryParse(text, out _, out _));
}
