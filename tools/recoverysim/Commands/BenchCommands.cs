using System.CommandLine;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.Lab.Benches;

namespace RecoverySim.Cli.Commands;

/// <summary><c>recoverysim bench create DIR --boards N</c>: a lab bench of boards (docs/FORMAT.md "Bench directory").</summary>
public static class BenchCommands
{
    /// <summary>Builds the <c>bench</c> command group.</summary>
    public static Command Create(CliContext context)
    {
        var bench = new Command("bench", "Lab benches: a directory of boards that share a signing key and a TFTP root with their golden image (served by 'web').");
        var create = new Command("create", "Create a bench: a key pair, a signed golden image in tftp/, N factory-flashed A/B boards (board-1..N) recovering over TFTP from the bench's server, and bench.json.");
        var dir = new Argument<string>("DIR") { Description = "The new bench directory (must not exist or be empty)." };
        var boards = NumericOptions.Integer("--boards", $"Boards on the bench (1-{BenchConfig.MaxBoards}).", 1, BenchConfig.MaxBoards, 2);
        var boardId = new Option<string>("--board") { Description = "The board id of every board and of the golden image.", DefaultValueFactory = _ => "rsim-bench" };
        var tftpPort = NumericOptions.Integer("--tftp-port", "The bench's TFTP port (bench.json, every board.json; 'web' serves it).", 1, 65535, 6969);
        var algorithm = new Option<string>("--algorithm") { Description = "The signing key's algorithm: ed25519, ecdsa-p256 or rsa-3072.", DefaultValueFactory = _ => "ed25519" };
        var seed = NumericOptions.Long("--seed", "The seed of the golden image's payload bytes and of the disks' GUIDs.", long.MinValue, long.MaxValue, 1);
        create.Arguments.Add(dir);
        foreach (Option option in new Option[] { boards, boardId, tftpPort, algorithm, seed })
        {
            create.Options.Add(option);
        }

        CliAction.Set(create, context, async (parse, cancel) =>
        {
            if (!SignatureAlgorithmNames.TryParse(parse.GetValue(algorithm), out SignatureAlgorithm chosen))
            {
                throw new CommandFailedException($"--algorithm: expected ed25519, ecdsa-p256 or rsa-3072, found '{parse.GetValue(algorithm)}'", ExitCodes.Usage);
            }

            Bench made = await Bench.CreateAsync(parse.GetValue(dir)!, new BenchCreateOptions
            {
                Boards = parse.GetValue(boards),
                BoardId = parse.GetValue(boardId)!,
                TftpPort = parse.GetValue(tftpPort),
                Algorithm = chosen,
                Seed = parse.GetValue(seed),
            }, cancel).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"{made.Directory}: bench of {made.Boards.Count} boards ({string.Join(", ", made.Boards)}), board id {made.Config.BoardId}, golden image {made.GoldenImagePath}, TFTP {made.Config.TftpAddress}:{made.Config.TftpPort}; serve it with 'recoverysim web --bench {made.Directory}'").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        bench.Subcommands.Add(create);
        return bench;
    }
}
