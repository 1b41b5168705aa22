using System.Text.Encodings.Web;
using System.Text.Json;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.Tftp;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// The board's fuses and settings, stored as <c>board.json</c> (docs/FORMAT.md "board"): board id,
/// trusted keys, profile, recovery sources, boot limits and the simulated OS health. Read-only to
/// the bootloader and to recovery; only <c>board create</c> writes it.
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

    /// <summary>Longest path, host or file name in the recovery configuration.</summary>
    public const int MaxTextLength = 4096;

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

    /// <summary>How the simulated OS behaves unless a boot says otherwise.</summary>
    public OsHealth OsHealth { get; init; } = OsHealth.Healthy;

    /// <summary>Reads and validates <paramref name="path"/>; throws <see cref="BoardException"/> naming the bad field.</summary>
    public static BoardConfig Load(string path)
    {
        FileInfo info = new(path);
        if (!info.Exists)
        {
            throw new BoardException($"{path}: not found (a board directory holds board.json, disk.img and rpmb.bin; make one with 'board create')");
        }

        if (info.Length > MaxFileBytes)
        {
            throw new BoardException($"{path}: {info.Length} bytes, more than the {MaxFileBytes} a board.json may have");
        }

        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses board.json bytes; <paramref name="source"/> names them in errors.</summary>
    public static BoardConfig Parse(ReadOnlySpan<byte> json, string source = "board.json")
    {
        if (json.Length > MaxFileBytes)
        {
            throw new BoardException($"{source}: {json.Length} bytes, more than the {MaxFileBytes} a board.json may have");
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new BoardException(OneLine($"{source}: not valid JSON ({e.Message})"), e);
        }

        using (document)
        {
            try
            {
                return FromJson(document.RootElement);
            }
            catch (BoardFieldException e)
            {
                throw new BoardException(OneLine($"{source}: field '{e.Field}': {e.Message}"), e);
            }
            catch (InvalidOperationException e)
            {
                // A string the JSON reader accepted but cannot decode (a lone surrogate escape).
                throw new BoardException(OneLine($"{source}: a value cannot be decoded ({e.Message})"), e);
            }
        }
    }

    /// <summary>Writes board.json to <paramref name="path"/> (a new file; an existing one is an error) and syncs it.</summary>
    public void SaveTo(string path)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        stream.Write(ToJsonBytes());
        stream.Flush(true);
    }

    /// <summary>The board.json bytes, indented UTF-8.</summary>
    public byte[] ToJsonBytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            writer.WriteNumber("version", CurrentVersion);
            writer.WriteString("board_id", BoardId);
            writer.WriteString("profile", BoardLayout.ProfileName(Profile));
            writer.WriteStartArray("trusted_keys");
            foreach (TrustedKey key in TrustedKeys)
            {
                writer.WriteStartObject();
                writer.WriteString("key_id", key.KeyId);
                writer.WriteString("public_key", key.PublicKeyPem);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartObject("recovery");
            writer.WriteStartArray("order");
            foreach (RecoverySource source in Recovery.Order)
            {
                writer.WriteStringValue(SourceName(source));
            }

            writer.WriteEndArray();
            if (Recovery.Tftp is { } tftp)
            {
                writer.WriteStartObject("tftp");
                writer.WriteString("server", tftp.Server.ToString());
                writer.WriteString("file", tftp.File);
                writer.WriteNumber("attempts", tftp.Attempts);
                writer.WriteNumber("timeout_ms", tftp.TimeoutMs);
                writer.WriteNumber("blksize", tftp.BlockSize);
                writer.WriteNumber("windowsize", tftp.WindowSize);
                writer.WriteEndObject();
            }

            if (Recovery.Usb is { } usb)
            {
                writer.WriteStartObject("usb");
                writer.WriteString("path", usb.Path);
                writer.WriteString("image_path", usb.ImagePath);
                writer.WriteNumber("attempts", usb.Attempts);
                writer.WriteEndObject();
            }

            if (Recovery.File is { } file)
            {
                writer.WriteStartObject("file");
                writer.WriteString("path", file.Path);
                writer.WriteNumber("attempts", file.Attempts);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteStartObject("boot_limits");
            writer.WriteNumber("max_tries", Limits.MaxTries);
            writer.WriteNumber("max_boots_before_recovery", Limits.MaxBootsBeforeRecovery);
            writer.WriteNumber("health_check_seconds", Limits.HealthCheckSeconds);
            writer.WriteEndObject();
            writer.WriteStartObject("simulation");
            writer.WriteString("os_health", OsHealth.ToString());
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Checks every field's range; throws <see cref="BoardException"/> naming the first bad one.</summary>
    public void Validate()
    {
        try
        {
            CheckBoardId(BoardId);
            if (TrustedKeys.Count is 0 or > MaxTrustedKeys)
            {
                throw new BoardFieldException("trusted_keys", $"expected 1 to {MaxTrustedKeys} keys, found {TrustedKeys.Count}");
            }

            foreach (TrustedKey key in TrustedKeys)
            {
                CheckKey(key.KeyId, key.PublicKeyPem);
            }

            try
            {
                Limits.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new BoardFieldException("boot_limits." + Snake(e.ParamName), e.Message.Split(" (Parameter")[0]);
            }
        }
        catch (BoardFieldException e)
        {
            throw new BoardException($"board.json: field '{e.Field}': {e.Message}", e);
        }
    }

    private static string OneLine(string message) => string.Concat(message.Select(c => char.IsControl(c) ? ' ' : c));

    private static string Snake(string? name) =>
        string.IsNullOrEmpty(name) ? "" : string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private static BoardConfig FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new BoardFieldException("(root)", $"expected an object, found {root.ValueKind}");
        }

        string format = String(root, "format", MaxTextLength);
        if (format != FormatName)
        {
            throw new BoardFieldException("format", $"expected '{FormatName}', found '{format}'");
        }

        int version = Int(root, "version", 1, int.MaxValue);
        if (version != CurrentVersion)
        {
            throw new BoardFieldException("version", $"expected {CurrentVersion}, found {version}");
        }

        string boardId = String(root, "board_id", MaxBoardIdLength);
        CheckBoardId(boardId);
        string profileText = String(root, "profile", 16);
        if (!BoardLayout.TryParseProfile(profileText, out BoardProfile profile))
        {
            throw new BoardFieldException("profile", $"expected 'ab' or 'single', found '{profileText}'");
        }

        JsonElement keysElement = Property(root, "trusted_keys", JsonValueKind.Array);
        int count = keysElement.GetArrayLength();
        if (count is 0 or > MaxTrustedKeys)
        {
            throw new BoardFieldException("trusted_keys", $"expected 1 to {MaxTrustedKeys} keys, found {count}");
        }

        var keys = new List<TrustedKey>(count);
        int index = 0;
        foreach (JsonElement keyElement in keysElement.EnumerateArray())
        {
            string at = $"trusted_keys[{index++}]";
            if (keyElement.ValueKind != JsonValueKind.Object)
            {
                throw new BoardFieldException(at, $"expected an object, found {keyElement.ValueKind}");
            }

            string keyId = Nested(at, () => String(keyElement, "key_id", 64));
            string pem = Nested(at, () => String(keyElement, "public_key", MaxPemLength));
            Nested(at, () => { CheckKey(keyId, pem); return 0; });
            keys.Add(new TrustedKey(keyId, pem));
        }

        RecoveryConfig recovery = root.TryGetProperty("recovery", out JsonElement recoveryElement)
            ? ParseRecovery(recoveryElement) : RecoveryConfig.Default;
        BootLimits limits = BootLimits.Default;
        if (root.TryGetProperty("boot_limits", out JsonElement limitsElement))
        {
            if (limitsElement.ValueKind != JsonValueKind.Object)
            {
                throw new BoardFieldException("boot_limits", $"expected an object, found {limitsElement.ValueKind}");
            }

            limits = new BootLimits(
                Nested("boot_limits", () => Int(limitsElement, "max_tries", 1, Control.SlotState.MaxTries)),
                Nested("boot_limits", () => Int(limitsElement, "max_boots_before_recovery", 1, BootLimits.MaxBootLimit)),
                Nested("boot_limits", () => Int(limitsElement, "health_check_seconds", 0, BootLimits.MaxHealthCheckSeconds)));
        }

        OsHealth health = OsHealth.Healthy;
        if (root.TryGetProperty("simulation", out JsonElement simulation))
        {
            if (simulation.ValueKind != JsonValueKind.Object)
            {
                throw new BoardFieldException("simulation", $"expected an object, found {simulation.ValueKind}");
            }

            string text = Nested("simulation", () => String(simulation, "os_health", 64));
            if (!OsHealth.TryParse(text, out health))
            {
                throw new BoardFieldException("simulation.os_health", $"expected healthy, hang or crash-after=N, found '{text}'");
            }
        }

        return new BoardConfig { BoardId = boardId, Profile = profile, TrustedKeys = keys, Recovery = recovery, Limits = limits, OsHealth = health };
    }

    /// <summary>The name of a recovery source in board.json.</summary>
    private static string SourceName(RecoverySource source) => source switch
    {
        RecoverySource.Tftp => "tftp",
        RecoverySource.Usb => "usb",
        RecoverySource.File => "file",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "not a recovery source"),
    };

    private static RecoveryConfig ParseRecovery(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new BoardFieldException("recovery", $"expected an object, found {element.ValueKind}");
        }

        RecoveryConfig defaults = RecoveryConfig.Default;
        var order = new List<RecoverySource>();
        if (element.TryGetProperty("order", out JsonElement orderElement))
        {
            if (orderElement.ValueKind != JsonValueKind.Array || orderElement.GetArrayLength() > 3)
            {
                throw new BoardFieldException("recovery.order", "expected an array of at most 3 of tftp, usb, file");
            }

            foreach (JsonElement item in orderElement.EnumerateArray())
            {
                RecoverySource? source = (item.ValueKind == JsonValueKind.String ? item.GetString() : null) switch
                {
                    "tftp" => RecoverySource.Tftp,
                    "usb" => RecoverySource.Usb,
                    "file" => RecoverySource.File,
                    _ => null,
                };
                if (source is not { } known || order.Contains(known))
                {
                    throw new BoardFieldException("recovery.order", $"expected distinct names among tftp, usb, file, found '{item}'");
                }

                order.Add(known);
            }
        }
        else
        {
            order.AddRange(defaults.Order);
        }

        TftpSourceConfig? tftpConfig = defaults.Tftp;
        if (element.TryGetProperty("tftp", out JsonElement tftp) && tftp.ValueKind != JsonValueKind.Null)
        {
            string serverText = Nested("recovery.tftp", () => OptionalString(tftp, "server")) ?? defaults.Tftp!.Server.ToString();
            TftpEndPoint server;
            try
            {
                server = TftpEndPoint.Parse(serverText);
            }
            catch (TftpEndPointFormatException e)
            {
                throw new BoardFieldException("recovery.tftp.server", e.Message);
            }

            string fileName = Nested("recovery.tftp", () => OptionalString(tftp, "file")) ?? defaults.Tftp!.File;
            if (!TftpSourceConfig.IsFileName(fileName))
            {
                throw new BoardFieldException("recovery.tftp.file", $"expected 1 to {TftpSourceConfig.MaxFileLength} characters without control characters, found '{fileName}'");
            }

            tftpConfig = new TftpSourceConfig(server, fileName)
            {
                Attempts = Nested("recovery.tftp", () => OptionalInt(tftp, "attempts", 1, RecoveryConfig.MaxAttempts)) ?? 3,
                TimeoutMs = Nested("recovery.tftp", () => OptionalInt(tftp, "timeout_ms", TftpSourceConfig.MinTimeoutMs, TftpSourceConfig.MaxTimeoutMs)) ?? 1000,
                BlockSize = Nested("recovery.tftp", () => OptionalInt(tftp, "blksize", TftpLimits.MinBlockSize, TftpLimits.MaxBlockSize)) ?? 1468,
                WindowSize = Nested("recovery.tftp", () => OptionalInt(tftp, "windowsize", TftpLimits.MinWindowSize, TftpLimits.MaxWindowSize)) ?? 8,
            };
        }

        UsbSourceConfig? usbConfig = defaults.Usb;
        if (element.TryGetProperty("usb", out JsonElement usb) && usb.ValueKind != JsonValueKind.Null)
        {
            string imagePath = Nested("recovery.usb", () => OptionalString(usb, "image_path")) ?? defaults.Usb!.ImagePath;
            if (!UsbSourceConfig.IsImagePath(imagePath))
            {
                throw new BoardFieldException("recovery.usb.image_path", $"expected an absolute path of 2 to {UsbSourceConfig.MaxImagePathLength} characters, found '{imagePath}'");
            }

            usbConfig = new UsbSourceConfig(Nested("recovery.usb", () => OptionalString(usb, "path")) ?? defaults.Usb!.Path)
            {
                ImagePath = imagePath,
                Attempts = Nested("recovery.usb", () => OptionalInt(usb, "attempts", 1, RecoveryConfig.MaxAttempts)) ?? 1,
            };
        }

        FileSourceConfig? fileConfig = null;
        if (element.TryGetProperty("file", out JsonElement file) && file.ValueKind != JsonValueKind.Null)
        {
            string path = Nested("recovery.file", () => OptionalString(file, "path"))
                ?? throw new BoardFieldException("recovery.file.path", "missing");
            fileConfig = new FileSourceConfig(path)
            {
                Attempts = Nested("recovery.file", () => OptionalInt(file, "attempts", 1, RecoveryConfig.MaxAttempts)) ?? 1,
            };
        }

        var recovery = new RecoveryConfig { Order = order, Tftp = tftpConfig, Usb = usbConfig, File = fileConfig };
        for (int i = 0; i < order.Count; i++)
        {
            if (!recovery.IsConfigured(order[i]))
            {
                throw new BoardFieldException($"recovery.order[{i}]", $"'{SourceName(order[i])}' is listed but recovery.{SourceName(order[i])} is not configured");
            }
        }

        return recovery;
    }

    private static int? OptionalInt(JsonElement parent, string name, int min, int max) =>
        parent.TryGetProperty(name, out _) ? Int(parent, name, min, max) : null;

    private static void CheckBoardId(string? boardId)
    {
        if (string.IsNullOrEmpty(boardId) || boardId.Length > MaxBoardIdLength || boardId.Any(c => c is < '!' or > '~'))
        {
            throw new BoardFieldException("board_id", $"expected 1 to {MaxBoardIdLength} printable ASCII characters without spaces, found '{boardId}'");
        }
    }

    private static void CheckKey(string keyId, string pem)
    {
        if (keyId.Length != 32 || !keyId.All(char.IsAsciiHexDigitLower))
        {
            throw new BoardFieldException("key_id", $"expected 32 lowercase hex digits, found '{keyId}'");
        }

        if (pem.Length > MaxPemLength || !pem.Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal))
        {
            throw new BoardFieldException("public_key", $"expected a PEM PUBLIC KEY block of at most {MaxPemLength} characters");
        }
    }

    private static T Nested<T>(string parent, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (BoardFieldException e)
        {
            throw new BoardFieldException(parent + "." + e.Field, e.Message);
        }
    }

    private static JsonElement Property(JsonElement parent, string name, JsonValueKind kind)
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            throw new BoardFieldException(name, $"expected inside an object, found {parent.ValueKind}");
        }

        if (!parent.TryGetProperty(name, out JsonElement value))
        {
            throw new BoardFieldException(name, "missing");
        }

        if (value.ValueKind != kind)
        {
            throw new BoardFieldException(name, $"expected {kind}, found {value.ValueKind}");
        }

        return value;
    }

    private static string String(JsonElement parent, string name, int maxLength)
    {
        string value = Property(parent, name, JsonValueKind.String).GetString()!;
        if (value.Length > maxLength)
        {
            throw new BoardFieldException(name, $"{value.Length} characters, more than {maxLength}");
        }

        return value;
    }

    private static string? OptionalString(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            throw new BoardFieldException(name, $"expected inside an object, found {parent.ValueKind}");
        }

        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return String(parent, name, MaxTextLength);
    }

    private static int Int(JsonElement parent, string name, int min, int max)
    {
        JsonElement value = Property(parent, name, JsonValueKind.Number);
        if (!value.TryGetInt32(out int number) || number < min || number > max)
        {
            throw new BoardFieldException(name, $"expected an integer from {min} to {max}, found {value.GetRawText()}");
        }

        return number;
    }

    /// <summary>A bad field while parsing; turned into one <see cref="BoardException"/> line.</summary>
    private sealed class BoardFieldException(string field, string message) : Exception(message)
    {
        public string Field { get; } = field;
    }
}
