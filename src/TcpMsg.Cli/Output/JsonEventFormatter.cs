using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using TcpMsg.Server;

namespace TcpMsg.Cli.Output;

/// <summary>
/// One JSON object per event and line (JSON Lines), times in ISO-8601 UTC. Text is JSON-escaped,
/// so control characters never reach a terminal raw; other characters are kept as they are.
/// </summary>
internal sealed class JsonEventFormatter : IEventFormatter
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    private Utf8JsonWriter? _writer;

    public bool Write(ServerEvent serverEvent, IBufferWriter<byte> output)
    {
        var writer = _writer ??= new Utf8JsonWriter(output, s_options);
        writer.Reset(output);
        writer.WriteStartObject();
        writer.WriteString("event", EventName(serverEvent));
        writer.WriteString("time", serverEvent.Timestamp.UtcDateTime);
        writer.WriteString("connection", serverEvent.Connection.Id);
        writer.WriteString("peer", serverEvent.Connection.EndPoint);
        WriteSecurity(writer, serverEvent.Connection);
        switch (serverEvent)
        {
            case ReceivedMessage message:
                if (message.Id != 0)
                {
                    writer.WriteNumber("id", message.Id);
                }

                writer.WriteString("text", message.Text);
                if (message.Syslog is { } syslog)
                {
                    WriteSyslog(writer, syslog);
                }

                if (message.Sender is not null)
                {
                    writer.WriteString("sender", message.Sender);
                }

                writer.WriteNumber("bytes", message.ByteCount);
                writer.WriteString("framing", FramingName(message.Framing));
                if (message.ClientId is not null)
                {
                    writer.WriteString("client_id", message.ClientId);
                    writer.WriteNumber("seq", message.Sequence);
                }

                if (!message.IsValidUtf8)
                {
                    writer.WriteBoolean("valid_utf8", false);
                    writer.WriteBase64String("raw", message.RawBytes);
                }

                break;
            case ChatMemberEvent chat:
                writer.WriteString("change", chat.IsRename ? "renamed" : "joined");
                writer.WriteString("name", chat.Name);
                if (chat.PreviousName is not null)
                {
                    writer.WriteString("previous_name", chat.PreviousName);
                }

                break;
            case ClientDisconnected disconnected:
                writer.WriteString("reason", SnakeCase(disconnected.Reason.ToString()));
                writer.WriteNumber("bytes", disconnected.BytesReceived);
                writer.WriteNumber("messages", disconnected.MessagesReceived);
                writer.WriteNumber("duration_ms", Math.Round(disconnected.Duration.TotalMilliseconds, 3));
                if (disconnected.DiscardedBytes > 0)
                {
                    writer.WriteNumber("discarded_bytes", disconnected.DiscardedBytes);
                }

                break;
            case ConnectionError error:
                writer.WriteString("code", SnakeCase(error.Code.ToString()));
                writer.WriteString("detail", error.Detail);
                break;
        }

        writer.WriteEndObject();
        writer.Flush();
        output.Write("\n"u8);
        return true;
    }

    /// <summary>Writes a received message read in place: the text goes from its UTF-8 bytes to the JSON string, no string is made.</summary>
    public bool Write(in ReceivedMessageView message, IBufferWriter<byte> output)
    {
        var writer = _writer ??= new Utf8JsonWriter(output, s_options);
        writer.Reset(output);
        writer.WriteStartObject();
        writer.WriteString("event", "message");
        writer.WriteString("time", message.Timestamp.UtcDateTime);
        var connection = message.Connection;
        writer.WriteString("connection", connection.Id);
        writer.WriteString("peer", connection.EndPoint);
        WriteSecurity(writer, connection);
        if (message.Id != 0)
        {
            writer.WriteNumber("id", message.Id);
        }

        writer.WriteString("text", message.Utf8Text);
        if (message.TryGetSyslog(out var syslog))
        {
            WriteSyslog(writer, syslog);
        }

        if (message.Sender is not null)
        {
            writer.WriteString("sender", message.Sender);
        }

        writer.WriteNumber("bytes", message.ByteCount);
        writer.WriteString("framing", FramingName(message.Framing));
        if (message.ClientId is not null)
        {
            writer.WriteString("client_id", message.ClientId);
            writer.WriteNumber("seq", message.Sequence);
        }

        if (!message.IsValidUtf8)
        {
            writer.WriteBoolean("valid_utf8", false);
            writer.WriteBase64String("raw", message.RawBytes);
        }

        writer.WriteEndObject();
        writer.Flush();
        output.Write("\n"u8);
        return true;
    }

    /// <summary>Writes a stored message as a <c>message</c> event, as <c>serve</c> printed it, with its store id.</summary>
    public void Write(TcpMsg.Storage.StoredMessage message, IBufferWriter<byte> output)
    {
        var writer = _writer ??= new Utf8JsonWriter(output, s_options);
        writer.Reset(output);
        writer.WriteStartObject();
        writer.WriteString("event", "message");
        writer.WriteString("time", message.ReceivedAt.UtcDateTime);
        writer.WriteString("connection", message.ConnectionId);
        writer.WriteString("peer", message.PeerEndPoint);
        writer.WriteNumber("id", message.Id);
        writer.WriteString("text", message.Text);
        if (message.Syslog is { } syslog)
        {
            WriteSyslog(writer, syslog);
        }

        if (message.Sender is not null)
        {
            writer.WriteString("sender", message.Sender);
        }

        if (message.ClientCertificate is not null)
        {
            writer.WriteString("client_cert", message.ClientCertificate);
        }

        writer.WriteString("framing", message.Framing);
        if (message.ClientId is not null)
        {
            writer.WriteString("client_id", message.ClientId);
            writer.WriteNumber("seq", message.Sequence);
        }

        if (message.RawBytes is not null)
        {
            writer.WriteBoolean("valid_utf8", false);
            writer.WriteBase64String("raw", message.RawBytes);
        }

        writer.WriteEndObject();
        writer.Flush();
        output.Write("\n"u8);
    }

    /// <summary>
    /// <c>"syslog": {"format", "facility", "severity", "timestamp", "host", "app", "procid", "msgid",
    /// "structured_data", "body"}</c>: names for facility and severity; a field the sender left out is left out.
    /// </summary>
    private static void WriteSyslog(Utf8JsonWriter writer, in SyslogView syslog)
    {
        writer.WriteStartObject("syslog");
        writer.WriteString("format", syslog.Format);
        writer.WriteString("facility", syslog.FacilityName);
        writer.WriteString("severity", syslog.SeverityName);
        WriteIfPresent(writer, "timestamp", syslog.Timestamp);
        WriteIfPresent(writer, "host", syslog.Host);
        WriteIfPresent(writer, "app", syslog.App);
        WriteIfPresent(writer, "procid", syslog.ProcId);
        WriteIfPresent(writer, "msgid", syslog.MsgId);
        WriteIfPresent(writer, "structured_data", syslog.StructuredData);
        writer.WriteString("body", syslog.Body);
        writer.WriteEndObject();
    }

    private static void WriteSyslog(Utf8JsonWriter writer, SyslogInfo syslog)
    {
        writer.WriteStartObject("syslog");
        writer.WriteString("format", syslog.Format);
        writer.WriteString("facility", syslog.FacilityName);
        writer.WriteString("severity", syslog.SeverityName);
        foreach (var (name, value) in new[] { ("timestamp", syslog.Timestamp), ("host", syslog.Host), ("app", syslog.App), ("procid", syslog.ProcId), ("msgid", syslog.MsgId), ("structured_data", syslog.StructuredData) })
        {
            if (value is not null)
            {
                writer.WriteString(name, value);
            }
        }

        writer.WriteString("body", syslog.Body);
        writer.WriteEndObject();
    }

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, ReadOnlySpan<byte> utf8)
    {
        if (!utf8.IsEmpty)
        {
            writer.WriteString(name, utf8);
        }
    }

    /// <summary>Only what applies: a plain direct connection's events look as they always did.</summary>
    private static void WriteSecurity(Utf8JsonWriter writer, ConnectionInfo connection)
    {
        if (connection.TlsProtocol is { } protocol)
        {
            writer.WriteString("tls", protocol);
        }

        if (connection.ClientCertificateSubject is { } subject)
        {
            writer.WriteString("client_cert", subject);
        }

        if (connection.ProxyEndPoint is { } proxy)
        {
            writer.WriteString("proxy", ConnectionInfo.FormatEndPoint(proxy));
        }
    }

    private static string EventName(ServerEvent serverEvent) => serverEvent switch
    {
        ClientConnected => "connected",
        ReceivedMessage => "message",
        ClientDisconnected => "disconnected",
        ChatMemberEvent => "chat",
        _ => "error",
    };

    private static string FramingName(MessageFraming framing) => framing switch
    {
        MessageFraming.Line => "line",
        MessageFraming.Whole => "whole",
        _ => "confirmed",
    };

    internal static string SnakeCase(string pascal) => JsonNamingPolicy.SnakeCaseLower.ConvertName(pascal);
}
