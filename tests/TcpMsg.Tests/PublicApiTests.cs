using TcpMsg.Client;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests;

/// <summary>
/// The library's public API is what src/TcpMsg/PublicAPI.*.txt declare (Microsoft.CodeAnalysis.PublicApiAnalyzers
/// fails the build on any difference); here the built assembly is read back: the public types it
/// exports are exactly the types declared there.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void The_exported_types_are_exactly_the_declared_ones()
    {
        // A type's line is its bare name; members have a parameter list or an arrow to their type.
        var declared = new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" }
            .SelectMany(file => File.ReadAllLines(Path.Combine(CliBuild.RepositoryRoot, "src", "TcpMsg", file)))
            .Where(line => line.Length > 0 && !line.StartsWith('#') && !line.Contains("->", StringComparison.Ordinal) && !line.Contains('('))
            .Order(StringComparer.Ordinal);
        var exported = typeof(MessageClient).Assembly.GetExportedTypes().Select(t => t.FullName!.Replace('+', '.')).Order(StringComparer.Ordinal);

        Assert.Equal(declared, exported);
    }
}
