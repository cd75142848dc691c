using System.CommandLine;
using System.Text;

namespace TcpMsg.Cli.Commands;

/// <summary>
/// Shell completion scripts, written from the command definitions: commands, each command's options,
/// and the values of options that have a fixed set (<c>--framing lines|whole</c>). Static scripts:
/// completing never starts tcpmsg.
/// </summary>
internal static class CompletionScripts
{
    public static readonly string[] Shells = ["bash", "zsh", "fish"];

    public static string For(string shell, Command root) => shell switch
    {
        "bash" => Bash(root),
        "zsh" => "autoload -U +X bashcompinit && bashcompinit\n" + Bash(root),
        "fish" => Fish(root),
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "not a supported shell"),
    };

    private static string Bash(Command root)
    {
        var text = new StringBuilder();
        text.Append("# tcpmsg completion for bash: source <(tcpmsg completion bash)\n");
        text.Append("_tcpmsg() {\n");
        text.Append("    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" command=\"${COMP_WORDS[1]}\" words=\"\"\n");
        text.Append("    if [ \"$COMP_CWORD\" -eq 1 ]; then\n");
        text.Append("        COMPREPLY=($(compgen -W \"").Append(string.Join(' ', Commands(root).Select(c => c.Name))).Append(" --help --version\" -- \"$cur\"))\n");
        text.Append("        return\n    fi\n");
        text.Append("    case \"$command $prev\" in\n");
        foreach (var command in Commands(root))
        {
            foreach (var option in CliHelp.OptionsOf(command))
            {
                if (Values(option) is { Length: > 0 } values)
                {
                    text.Append("        \"").Append(command.Name).Append(' ').Append(option.Name).Append("\") words=\"").Append(string.Join(' ', values)).Append("\" ;;\n");
                }
            }
        }

        text.Append("    esac\n");
        text.Append("    if [ -z \"$words\" ]; then\n        case \"$command\" in\n");
        foreach (var command in Commands(root))
        {
            var options = CliHelp.OptionsOf(command).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal) || n.Length == 2);
            text.Append("            ").Append(command.Name).Append(") words=\"").Append(string.Join(' ', options)).Append("\" ;;\n");
        }

        text.Append("        esac\n");
        text.Append("        if [[ \"$cur\" != -* ]]; then\n            return\n        fi\n    fi\n");
        text.Append("    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n");
        text.Append("}\n");
        text.Append("complete -o default -F _tcpmsg tcpmsg\n");
        return text.ToString();
    }

    private static string Fish(Command root)
    {
        var text = new StringBuilder();
        text.Append("# tcpmsg completion for fish: tcpmsg completion fish > ~/.config/fish/completions/tcpmsg.fish\n");
        text.Append("complete -c tcpmsg -f\n");
        foreach (var command in Commands(root))
        {
            text.Append("complete -c tcpmsg -n __fish_use_subcommand -a ").Append(command.Name).Append(" -d ").Append(Quote(command.Description)).Append('\n');
            foreach (var option in CliHelp.OptionsOf(command))
            {
                text.Append("complete -c tcpmsg -n '__fish_seen_subcommand_from ").Append(command.Name).Append("' -l ").Append(option.Name.TrimStart('-'));
                foreach (var alias in option.Aliases.Where(a => a.Length == 2))
                {
                    text.Append(" -s ").Append(alias[1]);
                }

                if (Values(option) is { Length: > 0 } values)
                {
                    text.Append(" -x -a ").Append(Quote(string.Join(' ', values)));
                }
                else if (option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool))
                {
                    text.Append(" -r");
                }

                text.Append(" -d ").Append(Quote(FirstSentence(option.Description))).Append('\n');
            }
        }

        return text.ToString();
    }

    private static IEnumerable<Command> Commands(Command root) => root.Subcommands.Where(c => !c.Hidden);

    private static string[] Values(Option option) =>
        option.HelpName is { } name && name.Contains('|', StringComparison.Ordinal) && !name.Contains('[', StringComparison.Ordinal) ? name.Split('|') : [];

    private static string FirstSentence(string? text)
    {
        var sentence = (text ?? string.Empty).Split(". ", 2)[0].TrimEnd('.');
        return sentence.Length > 80 ? sentence[..77] + "..." : sentence;
    }

    private static string Quote(string? text) => "'" + (text ?? string.Empty).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
