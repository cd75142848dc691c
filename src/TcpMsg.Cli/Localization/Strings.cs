using System.Globalization;
using System.Resources;

namespace TcpMsg.Cli.Localization;

/// <summary>The tool's user-visible text in one culture, from Resources/Strings*.resx.</summary>
internal sealed class Strings
{
    private static readonly ResourceManager s_resources = new("TcpMsg.Cli.Resources.Strings", typeof(Strings).Assembly);

    public Strings(CultureInfo culture) => Culture = culture;

    public CultureInfo Culture { get; }

    /// <summary>English, whatever the machine's culture (for tests and logs).</summary>
    public static Strings English { get; } = new(CultureInfo.GetCultureInfo("en"));

    public string Get(string name) =>
        s_resources.GetString(name, Culture) ?? throw new InvalidOperationException($"Missing resource string '{name}'.");

    public string Format(string name, params object?[] args) => string.Format(Culture, Get(name), args);

    public LineTemplate Template(string name) => LineTemplate.Parse(Get(name));

    /// <summary>Picks the culture: <c>--lang</c> when given, else the UI culture (LANG, LC_ALL, LC_MESSAGES).</summary>
    public static Strings For(string? lang)
    {
        var culture = lang?.ToLowerInvariant() switch
        {
            null or "" or "auto" => CultureInfo.CurrentUICulture,
            "zh" or "cn" or "chinese" => CultureInfo.GetCultureInfo("zh-CN"),
            "en" or "english" => CultureInfo.GetCultureInfo("en"),
            var other => CultureInfo.GetCultureInfo(other),
        };
        return new Strings(culture);
    }
}
