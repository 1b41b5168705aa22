using System.CommandLine;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.Lab.Benches;
using RecoverySim.Tftp;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim board create|flash|inspect|corrupt</c>: simulated boards (DESIGN.md "The board",
/// docs/FORMAT.md "board").
/// </summary>
public static class BoardCommands
{
    /// <summary>Builds the <c>board</c> command group.</summary>
    public static Command Create(CliContext context)
    {
        var board = new Command("board", "Simulated boards: a directory with disk.img (GPT), rpmb.bin and board.json.");
        board.Subcommands.Add(CreateCreate(context));
        board.Subcommands.Add(CreateFlash(context));
        board.Subcommands.Add(BoardInspectCommand.Create(context));
        board.Subcommands.Add(CreateCorrupt(context));
        board.Subcommands.Add(CreateSettings(context));
        return board;
    }

    private static Command CreateCreate(CliContext context)
    {
        var command = new Command("create", "Create a board directory: disk.img with a GPT (profile ab: misc, boot_a/b, system_a/b, vendor_a/b, userdata; single: misc, boot, system, vendor, userdata), rpmb.bin with counters at 0, and board.json.");
        var dir = new Argument<string>("DIR") { Description = "The new board directory (must not exist or be empty)." };
        var profile = new Option<string>("--profile") { Description = "ab (default) or single.", DefaultValueFactory = _ => "ab" };
        var boardId = new Option<string>("--board") { Description = "The board id images must carry.", Required = true };
        var pubkey = new Option<string[]>("--pubkey") { Description = "Trusted public key (SubjectPublicKeyInfo PEM); repeat to trust several.", Required = true };
        var sizes = new Option<string?>("--sizes") { Description = "Partition sizes, e.g. boot=4M,system=16M,vendor=8M,userdata=8M,misc=1M (K, M, G; multiples of 4K)." };
        var maxTries = NumericOptions.Integer("--max-tries", "Tries of a newly activated slot (1-7).", 1, SlotState.MaxTries, BootLimits.Default.MaxTries);
        var maxBoots = NumericOptions.Integer("--max-boots", "Power-ons without success before recovery (U-Boot bootlimit).", 1, BootLimits.MaxBootLimit, BootLimits.Default.MaxBootsBeforeRecovery);
        var healthCheck = NumericOptions.Integer("--health-check-seconds", "Simulated seconds the OS health check takes.", 0, BootLimits.MaxHealthCheckSeconds, BootLimits.Default.HealthCheckSeconds);
        var osHealth = new Option<string>("--os-health") { Description = "Default OS behaviour: healthy, hang or crash-after=N.", DefaultValueFactory = _ => "healthy" };
        var sources = new RecoverySourceOptions(
            "Recovery TFTP source as HOST[:PORT]/FILE (default 127.0.0.1:69/golden.rsim).",
            "Recovery USB stick image path (default usb.img in the board directory).",
            "Recovery from a local golden image too, tried after TFTP and USB (relative to the board directory).",
            absolutePaths: false);
        command.Arguments.Add(dir);
        foreach (Option option in new Option[] { profile, boardId, pubkey, sizes, maxTries, maxBoots, healthCheck, osHealth })
        {
            command.Options.Add(option);
        }

        sources.AddTo(command);

        CliAction.Set(command, context, parse =>
        {
            string path = parse.GetValue(dir)!;
            if (!BoardLayout.TryParseProfile(parse.GetValue(profile), out BoardProfile chosen))
            {
                throw new CommandFailedException($"--profile: expected ab or single, found '{parse.GetValue(profile)}'", ExitCodes.Usage);
            }

            if (!OsHealth.TryParse(parse.GetValue(osHealth), out OsHealth health))
            {
                throw new CommandFailedException($"--os-health: expected healthy, hang or crash-after=N, found '{parse.GetValue(osHealth)}'", ExitCodes.Usage);
            }

            var keys = new List<TrustedKey>();
            foreach (string keyPath in parse.GetValue(pubkey)!)
            {
                VerificationKey key = VerificationKey.Load(keyPath);
                keys.Add(new TrustedKey(key.KeyId.ToString(), key.ToPem()));
            }

            RecoveryConfig recovery = sources.Apply(parse, RecoveryConfig.Default);
            var config = new BoardConfig
            {
                BoardId = parse.GetValue(boardId)!,
                Profile = chosen,
                TrustedKeys = keys,
                Recovery = recovery,
                Limits = new BootLimits(parse.GetValue(maxTries), parse.GetValue(maxBoots), parse.GetValue(healthCheck)),
                OsHealth = health,
            };
            PartitionSizes partitionSizes;
            try
            {
                partitionSizes = PartitionSizes.Parse(parse.GetValue(sizes), PartitionSizes.Default);
            }
            catch (FormatException e)
            {
                throw new CommandFailedException($"--sizes: {e.Message}", e, ExitCodes.Usage);
            }

            Board.Create(path, config, partitionSizes);
            context.Output.WriteLine($"{path}: {BoardLayout.ProfileName(chosen)} board '{config.BoardId}' created: disk.img {Board.DiskBytes(chosen, partitionSizes)} bytes ({string.Join(", ", BoardLayout.Partitions(chosen))}), rpmb.bin, board.json trusting {string.Join(", ", keys.Select(k => k.KeyId))}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateFlash(CliContext context)
    {
        var command = new Command("flash", "Factory flash: verify a golden image against the board (trusted keys, board id, rollback indexes), then write each partition into both slots and reset the boot control block. userdata is not touched.");
        var dir = new Argument<string>("DIR") { Description = "The board directory." };
        var golden = new Argument<string>("GOLDEN") { Description = "The golden image (image build)." };
        command.Arguments.Add(dir);
        command.Arguments.Add(golden);
        CliAction.Set(command, context, async (parse, cancel) =>
        {
            string goldenPath = parse.GetValue(golden)!;
            if (!File.Exists(goldenPath))
            {
                throw new CommandFailedException($"{goldenPath}: no such golden image");
            }

            using Board board = Board.Open(parse.GetValue(dir)!);
            VerifiedGoldenImage image = await FactoryFlash.FlashAsync(board,
                () => new FileStream(goldenPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan), cancel).ConfigureAwait(false);
            var targets = image.Manifest.Partitions.SelectMany(p => FactoryFlash.TargetsOf(board, p.Name));
            await context.Output.WriteLineAsync($"{parse.GetValue(dir)}: flashed release {image.Manifest.ReleaseId}, version {image.Manifest.Version}, rollback index {image.Manifest.RollbackIndex} into {string.Join(", ", targets)}; boot control block reset (slot a first)").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateCorrupt(CliContext context)
    {
        var command = new Command("corrupt", "Damage one partition on purpose: its header, a byte range, random bit flips, or all of it.");
        var dir = new Argument<string>("DIR") { Description = "The board directory." };
        var partition = new Option<string>("--partition") { Description = "Partition name (boot_a, system_b, vendor, misc, ...).", Required = true };
        var header = new Option<bool>("--header") { Description = "Invert four bytes of the partition header (its CRC fails)." };
        var offset = NumericOptions.OptionalLong("--offset", "Invert bytes from this byte offset in the partition.", 0, long.MaxValue);
        var length = NumericOptions.Long("--length", "With --offset: how many bytes (default 1).", 1, long.MaxValue, 1);
        var flips = NumericOptions.OptionalInteger("--bit-flips", "Flip this many random bits inside the partition image.", 1, int.MaxValue);
        var seed = NumericOptions.Integer("--seed", "With --bit-flips: the seed of the bit positions.", int.MinValue, int.MaxValue, 1);
        var erase = new Option<bool>("--erase") { Description = "Erase the whole partition." };
        command.Arguments.Add(dir);
        foreach (Option option in new Option[] { partition, header, offset, length, flips, seed, erase })
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, context, parse =>
        {
            int modes = (parse.GetValue(header) ? 1 : 0) + (parse.GetValue(offset) is null ? 0 : 1) + (parse.GetValue(flips) is null ? 0 : 1) + (parse.GetValue(erase) ? 1 : 0);
            if (modes != 1)
            {
                throw new CommandFailedException("board corrupt: give exactly one of --header, --offset N [--length N], --bit-flips N [--seed S], --erase", ExitCodes.Usage);
            }

            using Board board = Board.Open(parse.GetValue(dir)!);
            string name = parse.GetValue(partition)!;
            CorruptionRequest request = parse.GetValue(header) ? new CorruptionRequest(name, "header")
                : parse.GetValue(offset) is long at ? new CorruptionRequest(name, "range") { Offset = at, Length = parse.GetValue(length) }
                : parse.GetValue(flips) is int count ? new CorruptionRequest(name, "bit-flips") { Count = count, Seed = parse.GetValue(seed) }
                : new CorruptionRequest(name, "erase");
            context.Output.WriteLine(request.ApplyTo(board));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateSettings(CliContext context)
    {
        var command = new Command("settings", "Show or change the board's settings in board.json (the update agent's policy and the simulated network); the fuses never change. Prints the settings.");
        var dir = new Argument<string>("DIR") { Description = "The board directory." };
        var wifiOnly = new Option<string?>("--wifi-only") { Description = "on: download updates only over Wi-Fi or Ethernet; off: over any link." };
        var window = new Option<string?>("--window") { Description = "The maintenance window for installs, HH:MM-HH:MM in UTC, or any." };
        var approval = new Option<string?>("--require-approval") { Description = "on: install only a release the user approved (update --approve)." };
        var network = new Option<string?>("--network") { Description = "The simulated link: wifi, ethernet, cellular or offline." };
        var server = new Option<string?>("--server") { Description = "The update server's base URL." };
        var channel = new Option<string?>("--channel") { Description = "The update channel (stable, beta, ...)." };
        var json = new Option<bool>("--json") { Description = "Print the settings as one JSON object." };
        command.Arguments.Add(dir);
        foreach (Option option in new Option[] { wifiOnly, window, approval, network, server, channel, json })
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, context, parse =>
        {
            static bool Switch(string flag, string text) => text switch
            {
                "on" => true,
                "off" => false,
                _ => throw new CommandFailedException($"{flag}: expected on or off, found '{text}'", ExitCodes.Usage),
            };

            string? windowText = parse.GetValue(window);
            MaintenanceWindow? newWindow = null;
            if (windowText is not null && windowText != "any")
            {
                newWindow = MaintenanceWindow.TryParse(windowText, out MaintenanceWindow parsedWindow) ? parsedWindow
                    : throw new CommandFailedException($"--window: expected {MaintenanceWindow.Rule}, found '{windowText}'", ExitCodes.Usage);
            }

            NetworkType? newNetwork = null;
            if (parse.GetValue(network) is { } networkText)
            {
                newNetwork = NetworkTypeNames.TryParse(networkText, out NetworkType n) ? n
                    : throw new CommandFailedException($"--network: expected wifi, ethernet, cellular or offline, found '{networkText}'", ExitCodes.Usage);
            }

            bool? newWifi = parse.GetValue(wifiOnly) is { } wifiText ? Switch("--wifi-only", wifiText) : null;
            bool? newApproval = parse.GetValue(approval) is { } approvalText ? Switch("--require-approval", approvalText) : null;
            string directory = parse.GetValue(dir)!;
            BoardConfig settings = BoardSettings.Change(directory, c => c with
            {
                Network = newNetwork ?? c.Network,
                Update = c.Update with
                {
                    WifiOnly = newWifi ?? c.Update.WifiOnly,
                    RequireApproval = newApproval ?? c.Update.RequireApproval,
                    MaintenanceWindow = windowText is null ? c.Update.MaintenanceWindow : newWindow,
                    Server = parse.GetValue(server) ?? c.Update.Server,
                    Channel = parse.GetValue(channel) ?? c.Update.Channel,
                },
            });
            UpdatePolicy u = settings.Update;
            if (parse.GetValue(json))
            {
                context.Output.WriteLine(CliJson.Write(new System.Text.Json.Nodes.JsonObject
                {
                    ["server"] = u.Server,
                    ["channel"] = u.Channel,
                    ["device_id"] = u.DeviceId,
                    ["wifi_only"] = u.WifiOnly,
                    ["maintenance_window"] = u.MaintenanceWindow?.ToString() ?? "any",
                    ["require_approval"] = u.RequireApproval,
                    ["network"] = NetworkTypeNames.Name(settings.Network),
                }, indented: true));
            }
            else
            {
                context.Output.WriteLine($"server {u.Server}, channel {u.Channel}, device {u.DeviceId}");
                context.Output.WriteLine($"wifi-only {(u.WifiOnly ? "on" : "off")}, window {u.MaintenanceWindow?.ToString() ?? "any"}, require-approval {(u.RequireApproval ? "on" : "off")}, network {NetworkTypeNames.Name(settings.Network)}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
