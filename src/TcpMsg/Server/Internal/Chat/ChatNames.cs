using System.Globalization;
using System.Text;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// What a chat name may be (docs/protocol.md): 1-32 characters, letters, digits, marks, punctuation
/// and symbols; no space, control or format character, no ':' (so no name looks like an address),
/// not starting with '/'. Names are compared without regard to case.
/// </summary>
internal static class ChatNames
{
    public static StringComparer Comparer => StringComparer.OrdinalIgnoreCase;

    /// <summary>Why <paramref name="name"/> is not a valid name, or null when it is.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a name cannot be empty";
        }

        if (name[0] == '/')
        {
            return "a name cannot start with '/'";
        }

        var length = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            if (++length > ChatOptions.MaxNameLength)
            {
                return $"a name is at most {ChatOptions.MaxNameLength} characters";
            }

            if (rune.Value == ':')
            {
                return "a name cannot contain ':'";
            }

            if (rune == Rune.ReplacementChar || !IsAllowed(Rune.GetUnicodeCategory(rune)))
            {
                return "a name cannot contain spaces, control or invisible characters";
            }
        }

        return null;
    }

    private static bool IsAllowed(UnicodeCategory category) => category switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator => false,
        _ => true,
    };
}
