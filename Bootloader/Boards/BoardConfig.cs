using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Json;
using RecoverySim.Tftp;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// The board's fuses and settings, stored as <c>board.json</c> (docs/FORMAT.md "board"): board id,
/// trusted keys, profile, recovery sources, boot limits, the update agent's policy and the
/// simulated OS health and network. Read-only to the bootloader and to recovery; <c>board create</c>
/// writes it, and <see cref="BoardSettings"/> changes the user's settings in it (the update policy
/// and the simulated network), never the fuses.
/// </summary>
public sealed record BoardConfig
{
    /// <summary>The value of the <c>format</c> field.</summary>
    public const string FormatName = "recoverysim-board";

    /// <summary>The layout version written and accepted.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Largest board.json read (bytes).</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>Longest board id (ASCII characters).</summary>
    public const int MaxBoardIdLength = 64;

    /// <summary>Most trusted keys.</summary>
    public const int MaxTrustedKeys = 16;

    /// <summary>Longest PEM of one key (characters).</summary>
    public const int MaxPemLength = 8192;

    /// <summary>The board id that images must carry.</summary>
    public required string BoardId { get; init; }

    /// <summary>The partition layout.</summary>
    public BoardProfile Profile { get; init; } = BoardProfile.Ab;

    /// <summary>The keys whose signatures the board accepts (at least one).</summary>
    public required IReadOnlyList<TrustedKey> TrustedKeys { get; init; }

    /// <summary>Where recovery mode looks for a golden image.</summary>
    public RecoveryConfig Recovery { get; init; } = RecoveryConfig.Default;

    /// <summary>Boot counting limits.</summary>
    public BootLimits Limits { get; init; } = BootLimits.Default;

    /// <summary>How the update agent behaves.</summary>
    public UpdatePolicy Update { get; init; } = UpdatePolicy.Default;

    /// <summary>How the simulated OS behaves unless a boot says otherwise.</summary>
    public OsHealth OsHealth { get; init; } = OsHealth.Healthy;

    /// <summary>The simulated network link.</summary>
    public NetworkType Network { get; init; } = NetworkType.Wifi;

    /// <summary>The strict JSON format of board.json: at most <see cref="MaxFileBytes"/> bytes, 8 levels.</summary>
    private static StrictJsonFormat<BoardDocument> Format { get; } = new(BoardJsonContext.Default, MaxFileBytes, maxDepth: 8);

    private static readonly (string, RecoverySource)[] SourceNames = [("tftp", RecoverySource.Tftp), ("usb", RecoverySource.Usb), ("file", RecoverySource.File)];

    private static readonly (string, BoardProfile)[] ProfileNames = [("ab", BoardProfile.Ab), ("single", BoardProfile.Single)];

    /// <summary>Reads and validates <paramref name="path"/>; throws <see cref="BoardException"/> naming the file, the JSON path and what was expected.</summary>
    public static BoardConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new BoardException($"{path}: not found (a board directory holds board.json, disk.img and rpmb.bin; make one with 'board create')");
        }

        try
        {
            return FromDocument(Format.ReadFile(path), new JsonFieldValidator(path));
        }
        catch (JsonInputException e)
        {
            throw new BoardException(e.Message, e);
        }
    }

    /// <summary>Parses board.json bytes; <paramref name="source"/> names them in errors.</summary>
    /// <exception cref="BoardException">The bytes are not a valid board.json; the message is <c>FILE: $.path: expected X, found Y</c>.</exception>
    public static BoardConfig Parse(ReadOnlySpan<byte> json, string source = "board.json")
    {
        try
        {
            return FromDocument(Format.Read(json, source), new JsonFieldValidator(source));
        }
        catch (JsonInputException e)
        {
            throw new BoardException(e.Message, e);
        }
    }

    /// <summary>The board.json bytes: indented UTF-8, every field written (defaults too), a final newline.</summary>
    public byte[] ToJsonBytes() => Format.Write(ToDocument());

    /// <summary>Checks every field's range with the rules board.json is read by; throws <see cref="BoardException"/> naming the first bad one.</summary>
    public void Validate()
    {
        try
        {
            FromDocument(ToDocument(), new JsonFieldValidator("board.json"));
        }
        catch (JsonInputException e)
        {
            throw new BoardException(e.Message, e);
        }
    }

    private static string NameOf(RecoverySource source) => SourceNames.First(n => n.Item2 == source).Item1;

    private BoardDocument ToDocument() => new()
    {
        Format = FormatName,
        Version = CurrentVersion,
        BoardId = BoardId,
        Profile = BoardLayout.ProfileName(Profile),
        TrustedKeys = [.. TrustedKeys.Select(k => new TrustedKeyDocument { KeyId = k.KeyId, PublicKey = k.PublicKeyPem })],
        Recovery = new RecoveryDocument
        {
            Order = [.. Recovery.Order.Select(NameOf)],
            Tftp = Recovery.Tftp is { } t ? new TftpSourceDocument
            {
                Server = t.Server.ToString(),
                File = t.File,
                Attempts = t.Attempts,
                TimeoutMs = t.TimeoutMs,
                Blksize = t.BlockSize,
                Windowsize = t.WindowSize,
            } : null,
            Usb = Recovery.Usb is { } u ? new UsbSourceDocument { Path = u.Path, ImagePath = u.ImagePath, Attempts = u.Attempts } : null,
            File = Recovery.File is { } f ? new FileSourceDocument { Path = f.Path, Attempts = f.Attempts } : null,
        },
        BootLimits = new BootLimitsDocument
        {
            MaxTries = Limits.MaxTries,
            MaxBootsBeforeRecovery = Limits.MaxBootsBeforeRecovery,
            HealthCheckSeconds = Limits.HealthCheckSeconds,
        },
        Update = new UpdateDocument
        {
            Server = Update.Server,
            Channel = Update.Channel,
            DeviceId = Update.DeviceId,
            WifiOnly = Update.WifiOnly,
            MaintenanceWindow = Update.MaintenanceWindow?.ToString() ?? AnyTime,
            RequireApproval = Update.RequireApproval,
            PollIntervalSeconds = Update.PollIntervalSeconds,
            MinRateBytesPerSecond = Update.MinRateBytesPerSecond,
            RateWindowSeconds = Update.RateWindowSeconds,
        },
        Simulation = new SimulationDocument { OsHealth = OsHealth.ToString(), Network = NetworkTypeNames.Name(Network) },
    };

    /// <summary>The text of "no maintenance window".</summary>
    private const string AnyTime = "any";

    private static BoardConfig FromDocument(BoardDocument d, JsonFieldValidator check)
    {
        check.Text("$.format", d.Format, f => f == FormatName, StrictJson.Quote(FormatName));
        if (d.Version != CurrentVersion)
        {
            throw check.Error("$.version", $"{CurrentVersion}", $"{d.Version}");
        }

        string boardId = check.Text("$.board_id", d.BoardId, IsBoardId, $"1 to {MaxBoardIdLength} printable ASCII characters without spaces");
        BoardProfile profile = check.Choice("$.profile", d.Profile, ProfileNames);
        check.Count("$.trusted_keys", d.TrustedKeys, 1, MaxTrustedKeys, "keys");
        var keys = new List<TrustedKey>(d.TrustedKeys.Count);
        for (int i = 0; i < d.TrustedKeys.Count; i++)
        {
            string at = StrictJson.Element("$.trusted_keys", i);
            TrustedKeyDocument k = d.TrustedKeys[i];
            string keyId = check.Text(at + ".key_id", k.KeyId, id => id.Length == 32 && id.All(char.IsAsciiHexDigitLower), "32 lowercase hex digits");
            string pem = check.Text(at + ".public_key", k.PublicKey, p => p.Length <= MaxPemLength && p.Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal),
                $"a PEM PUBLIC KEY block of at most {MaxPemLength} characters");
            keys.Add(new TrustedKey(keyId, pem));
        }

        RecoveryConfig recovery = d.Recovery is null ? RecoveryConfig.Default : ReadRecovery(d.Recovery, check);
        BootLimits defaults = BootLimits.Default;
        BootLimitsDocument? l = d.BootLimits;
        var limits = new BootLimits(
            check.Integer("$.boot_limits.max_tries", l?.MaxTries, 1, Control.SlotState.MaxTries, defaults.MaxTries),
            check.Integer("$.boot_limits.max_boots_before_recovery", l?.MaxBootsBeforeRecovery, 1, BootLimits.MaxBootLimit, defaults.MaxBootsBeforeRecovery),
            check.Integer("$.boot_limits.health_check_seconds", l?.HealthCheckSeconds, 0, BootLimits.MaxHealthCheckSeconds, defaults.HealthCheckSeconds));
        string healthText = check.Text("$.simulation.os_health", d.Simulation?.OsHealth, t => OsHealth.TryParse(t, out _),
            $"healthy, hang or crash-after=N (N up to {OsHealth.MaxCrashSeconds})", OsHealth.Healthy.ToString());
        UpdatePolicy update = d.Update is null ? UpdatePolicy.Default : ReadUpdate(d.Update, check);
        NetworkType network = check.Choice("$.simulation.network", d.Simulation?.Network, NetworkTypeNames.All, "wifi");
        return new BoardConfig
        {
            BoardId = boardId, Profile = profile, TrustedKeys = keys, Recovery = recovery, Limits = limits, Update = update,
            OsHealth = OsHealth.Parse(healthText), Network = network,
        };
    }

    private static UpdatePolicy ReadUpdate(UpdateDocument u, JsonFieldValidator check)
    {
        const string At = "$.update";
        UpdatePolicy defaults = UpdatePolicy.Default;
        string window = check.Text(At + ".maintenance_window", u.MaintenanceWindow, w => w == AnyTime || MaintenanceWindow.TryParse(w, out _), MaintenanceWindow.Rule, AnyTime);
        return new UpdatePolicy
        {
            Server = check.Text(At + ".server", u.Server, UpdatePolicy.IsServer,
                $"an absolute http or https URL of at most {UpdatePolicy.MaxServerLength} characters, without user info, query or fragment", defaults.Server),
            Channel = check.Text(At + ".channel", u.Channel, FieldText.IsIdentifier, IdentifierRule, defaults.Channel),
            DeviceId = check.Text(At + ".device_id", u.DeviceId, UpdatePolicy.IsDeviceId, IdentifierRule, defaults.DeviceId),
            WifiOnly = u.WifiOnly ?? defaults.WifiOnly,
            MaintenanceWindow = MaintenanceWindow.TryParse(window, out MaintenanceWindow w) ? w : null,
            RequireApproval = u.RequireApproval ?? defaults.RequireApproval,
            PollIntervalSeconds = check.Integer(At + ".poll_interval_seconds", u.PollIntervalSeconds, UpdatePolicy.MinPollSeconds, UpdatePolicy.MaxPollSeconds, defaults.PollIntervalSeconds),
            MinRateBytesPerSecond = check.Integer(At + ".min_rate_bytes_per_second", u.MinRateBytesPerSecond, 0, UpdatePolicy.MaxMinRate, defaults.MinRateBytesPerSecond),
            RateWindowSeconds = check.Integer(At + ".rate_window_seconds", u.RateWindowSeconds, 1, UpdatePolicy.MaxRateWindowSeconds, defaults.RateWindowSeconds),
        };
    }

    private const string IdentifierRule = "1 to 63 of A-Z a-z 0-9 . _ - starting with a letter or digit";

    /// <summary>
    /// <c>recovery</c>: a source whose section is absent takes its default when <c>order</c> lists it
    /// (TFTP and USB have one; a file source needs its path), and is not configured otherwise.
    /// </summary>
    private static RecoveryConfig ReadRecovery(RecoveryDocument d, JsonFieldValidator check)
    {
        RecoveryConfig defaults = RecoveryConfig.Default;
        var order = new List<RecoverySource>();
        if (d.Order is null)
        {
            order.AddRange(defaults.Order);
        }
        else
        {
            check.Count("$.recovery.order", d.Order, 0, SourceNames.Length, "sources");
            for (int i = 0; i < d.Order.Count; i++)
            {
                string at = StrictJson.Element("$.recovery.order", i);
                RecoverySource source = check.Choice(at, d.Order[i], SourceNames);
                if (order.Contains(source))
                {
                    throw check.Error(at, "distinct sources", $"{StrictJson.Quote(d.Order[i])} a second time");
                }

                order.Add(source);
            }
        }

        TftpSourceConfig? tftp = d.Tftp is { } t ? ReadTftp(t, check) : order.Contains(RecoverySource.Tftp) ? defaults.Tftp : null;
        UsbSourceConfig? usb = d.Usb is { } u ? ReadUsb(u, check) : order.Contains(RecoverySource.Usb) ? defaults.Usb : null;
        FileSourceConfig? file = null;
        if (d.File is { } f)
        {
            file = new FileSourceConfig(check.Text("$.recovery.file.path", f.Path, RecoveryConfig.IsPath, PathRule))
            {
                Attempts = check.Integer("$.recovery.file.attempts", f.Attempts, 1, RecoveryConfig.MaxAttempts, 1),
            };
        }
        else if (order.IndexOf(RecoverySource.File) is int at and >= 0)
        {
            throw check.Error("$.recovery.file", $"an object with the path of the golden image (recovery.order[{at}] is \"file\")", "nothing");
        }

        return new RecoveryConfig { Order = order, Tftp = tftp, Usb = usb, File = file };
    }

    private static TftpSourceConfig ReadTftp(TftpSourceDocument t, JsonFieldValidator check)
    {
        const string At = "$.recovery.tftp";
        TftpSourceConfig defaults = TftpSourceConfig.Default;
        string serverText = t.Server ?? defaults.Server.ToString();
        TftpEndPoint server;
        try
        {
            server = TftpEndPoint.Parse(serverText);
        }
        catch (TftpEndPointFormatException e)
        {
            throw check.Error(At + ".server", $"HOST[:PORT] with a port from {TftpEndPoint.MinPort} to {TftpEndPoint.MaxPort}", $"{StrictJson.Quote(serverText)} ({e.Reason})");
        }

        string file = check.Text(At + ".file", t.File, TftpSourceConfig.IsFileName, $"1 to {TftpSourceConfig.MaxFileLength} characters without control characters", defaults.File);
        return new TftpSourceConfig(server, file)
        {
            Attempts = check.Integer(At + ".attempts", t.Attempts, 1, RecoveryConfig.MaxAttempts, defaults.Attempts),
            TimeoutMs = check.Integer(At + ".timeout_ms", t.TimeoutMs, TftpSourceConfig.MinTimeoutMs, TftpSourceConfig.MaxTimeoutMs, defaults.TimeoutMs),
            BlockSize = check.Integer(At + ".blksize", t.Blksize, TftpLimits.MinBlockSize, TftpLimits.MaxBlockSize, defaults.BlockSize),
            WindowSize = check.Integer(At + ".windowsize", t.Windowsize, TftpLimits.MinWindowSize, TftpLimits.MaxWindowSize, defaults.WindowSize),
        };
    }

    private static UsbSourceConfig ReadUsb(UsbSourceDocument u, JsonFieldValidator check)
    {
        UsbSourceConfig defaults = UsbSourceConfig.Default;
        return new UsbSourceConfig(check.Text("$.recovery.usb.path", u.Path, RecoveryConfig.IsPath, PathRule, defaults.Path))
        {
            ImagePath = check.Text("$.recovery.usb.image_path", u.ImagePath, UsbSourceConfig.IsImagePath,
                $"an absolute path on the stick of 2 to {UsbSourceConfig.MaxImagePathLength} characters with '/' separators", defaults.ImagePath),
            Attempts = check.Integer("$.recovery.usb.attempts", u.Attempts, 1, RecoveryConfig.MaxAttempts, defaults.Attempts),
        };
    }

    private static readonly string PathRule = $"a path of 1 to {RecoveryConfig.MaxPathLength} characters without NUL";

    private static bool IsBoardId(string boardId) =>
        boardId.Length is > 0 and <= MaxBoardIdLength && boardId.All(c => c is >= '!' and <= '~');
}
