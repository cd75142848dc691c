using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using TcpMsg.Storage;

namespace TcpMsg.Server.Internal.Http;

/// <summary>A stored message as the HTTP API shows it: one JSON object, on one line.</summary>
internal static class MessageJson
{
    // Text stays readable UTF-8 (the page shows it with textContent, never as markup); control
    // characters, line ends included, are still escaped, so an object is always one SSE data line.
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(Utf8JsonWriter json, StoredMessage message)
    {
        json.WriteStartObject();
        json.WriteNumber("id", message.Id);
        json.WriteString("received_at", message.ReceivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        json.WriteString("peer", message.PeerEndPoint);
        json.WriteString("framing", message.Framing);
        json.WriteString("text", message.Text);
        json.WriteBoolean("valid_utf8", message.RawBytes is null);
        if (message.Sender is { } sender)
        {
            json.WriteString("sender", sender);
        }

        if (message.ClientId is { } clientId)
        {
            json.WriteString("client_id", clientId);
            json.WriteNumber("seq", message.Sequence);
        }

        if (message.ClientCertificate is { } certificate)
        {
            json.WriteString("client_cert", certificate);
        }

        json.WriteString("connection", message.ConnectionId);
        json.WriteEndObject();
    }
}
