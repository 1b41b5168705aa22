using RecoverySim.Cli;

return await RecoverySimCli.RunAsync(args, CliContext.FromProcess()).ConfigureAwait(false);
