using System.Text;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Server;

namespace TcpMsg.Cli.Commands;

/// <summary>
/// <c>tcpmsg serve --chat</c>: each line of standard input is posted to the room as the server, so
/// the operator takes part (ncat's chat server cannot). The end of input only ends the posting.
/// </summary>
internal static class ServerConsolePoster
{
    public static async Task RunAsync(TcpMsgServer server, ICliConsole console, Strings strings, CancellationToken cancellationToken)
    {
        try
        {
            using var input = new StreamReader(console.In, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
            while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                try
                {
                    await server.PostAsync(line, cancellationToken).ConfigureAwait(false);
                }
                catch (TcpMsgException ex)
                {
                    await console.Error.WriteLineAsync(strings.Format("ChatPostFailed", ex.Message)).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The server is stopping.
        }
        catch (IOException ex)
        {
            // Standard input went away: the server goes on without the operator's voice.
            await console.Error.WriteLineAsync(strings.Format("ChatPostFailed", ex.Message)).ConfigureAwait(false);
        }
    }
}
