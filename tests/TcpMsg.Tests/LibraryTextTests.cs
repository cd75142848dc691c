using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using TcpMsg.Client;

namespace TcpMsg.Tests;

/// <summary>
/// The library speaks in its own terms: every string it can say (its exception and refusal texts,
/// its log templates, its metric descriptions: the string literals compiled into TcpMsg.dll) names
/// options by their property, never by a flag of the tcpmsg command; the CLI maps codes and
/// properties to its flags (src/TcpMsg.Cli/ErrorText.cs).
/// </summary>
public sealed partial class LibraryTextTests
{
    [Fact]
    public void No_string_of_the_library_names_a_cli_flag()
    {
        using var stream = File.OpenRead(typeof(MessageClient).Assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var flagged = new List<string>();
        var scanned = 0;
        for (var handle = MetadataTokens.UserStringHandle(1); !handle.IsNil; handle = metadata.GetNextHandle(handle))
        {
            var text = metadata.GetUserString(handle);
            scanned++;

            // The store's schema script carries SQL comments (-- ...) for its readers; SQL, not words to a user.
            if (!text.Contains("CREATE ", StringComparison.Ordinal) && Flag().IsMatch(text))
            {
                flagged.Add(text);
            }
        }

        Assert.True(scanned > 500, $"only {scanned} strings read: not the library's");
        Assert.Empty(flagged);
    }

    // A long option as the CLI spells them: --max-connections, --tls-ca.
    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z0-9]+(-[a-z0-9]+)*\b")]
    private static partial Regex Flag();
}
