using System.CommandLine;
using System.CommandLine.Help;
using System.Text.Json;

namespace TcpMsg.Cli.Parsing;

/// <summary>
/// <c>serve --config FILE</c>: a JSON object whose names are the command's options without their
/// dashes (<c>{"port": 2023, "store": "/var/lib/tcpmsg/tcpmsg.db", "allow": ["10.0.0.0/8"], "no-plain": true}</c>).
/// Each setting becomes the option's words on the command line, so it is parsed, checked and
/// reported exactly as the option is; an option given on the command line wins over the file (a
/// repeatable one replaces the file's list). A name the command does not know is an error with a
/// did-you-mean, never ignored.
/// </summary>
internal static class ConfigFile
{
    /// <summary>The option that names the file.</summary>
    public const string OptionName = "--config";

    /// <summary>
    /// The arguments with the file's settings added for every option the command line does not give;
    /// false with <paramref name="error"/> when the file cannot be read or holds what no option takes.
    /// </summary>
    public static bool TryExpand(ParseResult parsed, string[] args, string file, out string[] expanded, out string? error)
    {
        expanded = args;
        error = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"{OptionName} {file}: {ex.Message}";
            return false;
        }
        catch (JsonException ex)
        {
            error = $"{OptionName} {file}: not valid JSON ({ex.Message})";
            return false;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = $"{OptionName} {file}: expected a JSON object of settings, e.g. {{\"port\": 2023}}";
                return false;
            }

            var command = parsed.CommandResult.Command;
            // The command's own options, and those of the root that apply to every command (--lang).
            var options = command.Options.Concat(parsed.RootCommandResult.Command.Options.Where(o => o.Recursive))
                .Where(o => o is not HelpOption and not VersionOption && o.Name != OptionName)
                .ToList();
            var added = new List<string>();
            foreach (var setting in document.RootElement.EnumerateObject())
            {
                var name = "--" + setting.Name;
                var option = options.FirstOrDefault(o => o.Name == name);
                if (option is null)
                {
                    var near = Suggestions.For(name, options.Select(o => o.Name));
                    error = $"{OptionName} {file}: unknown setting '{setting.Name}'" +
                        (near.Count > 0 ? $" (did you mean '{near[0].TrimStart('-')}'?)" : $"; the settings are the options of 'tcpmsg {command.Name}' without their dashes");
                    return false;
                }

                if (parsed.GetResult(option) is { Implicit: false })
                {
                    continue;
                }

                if (!TryWords(option, setting.Value, added, out var problem))
                {
                    error = $"{OptionName} {file}: '{setting.Name}': {problem}";
                    return false;
                }
            }

            expanded = [.. args, .. added];
            return true;
        }
    }

    private static bool TryWords(Option option, JsonElement value, List<string> words, out string? problem)
    {
        problem = null;
        var isFlag = option.ValueType == typeof(bool);
        switch (value.ValueKind)
        {
            case JsonValueKind.True or JsonValueKind.False when isFlag:
                if (value.ValueKind == JsonValueKind.True)
                {
                    words.Add(option.Name);
                }

                return true;
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.String or JsonValueKind.Number when !isFlag:
                words.Add(option.Name);
                words.Add(Scalar(value));
                return true;
            case JsonValueKind.Array when !isFlag && option.Arity.MaximumNumberOfValues > 1:
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
                    {
                        problem = "a list of strings or numbers was expected";
                        return false;
                    }

                    words.Add(option.Name);
                    words.Add(Scalar(item));
                }

                return true;
            default:
                problem = isFlag ? "true or false was expected" : option.Arity.MaximumNumberOfValues > 1 ? "a string, a number or a list of them was expected" : "a string or a number was expected";
                return false;
        }
    }

    private static string Scalar(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? value.GetRawText() : value.GetString()!;
}
