using System.Globalization;
using System.Resources;

namespace TcpMsg.Cli.Localization;

/// <summary>The tool's user-visible text in one culture, from Resources/Strings*.resx.</summary>
internal sealed class Strings
{
    private static readonly ResourceManager s_resources = new("TcpMsg.Cli.Resources.Strings", typeof(Strings).Assembly);

    public Strings(CultureInfo culture) => Culture = culture;

    public CultureInfo Culture { get; }

    /// <summary>
    /// The language of this command line: <see cref="CliApplication"/> sets the UI culture from
    /// <c>--lang</c> (or the locale) before parsing, so that parse errors are in it too.
    /// </summary>
    public static Strings Current => new(CultureInfo.CurrentUICulture);

    /// <summary>English, whatever the machine's culture (for tests and logs).</summary>
    public static Strings English { get; } = new(CultureInfo.GetCultureInfo("en"));

    public string Get(string name) =>
        s_resources.GetString(name, Culture) ?? throw new InvalidOperationException($"Missing resource string '{name}'.");

    /// <summary>The text of <paramref name="name"/> in this culture, or null when only another culture has it.</summary>
    public string? Find(string name) => s_resources.GetString(name, Culture);

    public string Format(string name, params object?[] args) => string.Format(Culture, Get(name), args);

    public LineTemplate Template(string name) => LineTemplate.Parse(Get(name));

    /// <summary>Picks the culture: <c>--lang</c> when given (en or zh, see <see cref="TryNormalizeLanguage"/>), else the UI culture (LANG, LC_ALL, LC_MESSAGES).</summary>
    public static Strings For(string? lang)
    {
        var culture = lang switch
        {
            "zh" => CultureInfo.GetCultureInfo("zh-CN"),
            "en" => CultureInfo.GetCultureInfo("en"),
            _ => CultureInfo.CurrentUICulture,
        };
        return new Strings(culture);
    }

    /// <summary>The languages --lang accepts: en, zh (zh-CN, zh_CN, cn, chinese, english) and auto; others are refused.</summary>
    public static bool TryNormalizeLanguage(string text, out string? language)
    {
        language = text.Trim().ToLowerInvariant().Replace('_', '-') switch
        {
            "auto" => "auto",
            "zh" or "zh-cn" or "zh-hans" or "cn" or "chinese" => "zh",
            "en" or "en-us" or "en-gb" or "english" => "en",
            _ => null,
        };
        return language is not null;
    }
}
