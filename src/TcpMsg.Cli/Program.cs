using TcpMsg.Cli;
using TcpMsg.Cli.Output;

return await new CliApplication(new SystemConsole(), handleSignals: true).RunAsync(args).ConfigureAwait(false);
