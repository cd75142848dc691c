using System.Buffers;
using System.Globalization;
using System.Text;
using TcpMsg.Cli.Localization;
using TcpMsg.Server;

namespace TcpMsg.Cli.Output;

/// <summary>
/// Writes server events as the tutorial's lines, localized: <c>127.0.0.1发来消息>>>你好</c> and
/// <c>127.0.0.1:54321断开了与服务器的连接...</c>; with verbose, the connection's life in TCP terms.
/// Message text is escaped so that it cannot drive the terminal.
/// </summary>
internal sealed class TextEventFormatter : IEventFormatter
{
    private static readonly byte[] s_newLine = "\n"u8.ToArray();

    private readonly Strings _strings;
    private readonly bool _verbose;
    private readonly LineTemplate _message;
    private readonly LineTemplate _disconnect;
    private readonly LineTemplate _connected;
    private readonly LineTemplate _finished;

    // The last sender address and its UTF-8 bytes: most lines in a row come from the same address.
    private string _address = string.Empty;
    private byte[] _addressUtf8 = [];

    // A message line is {0}…{1}… in every language: what comes before the text for the last address
    // (the literal, the address, the separator), and what follows it (the rest and the line end), so
    // that a line whose text needs no escaping is written as three copies into one span.
    private readonly bool _messageInTwoParts;
    private readonly byte[] _messageBefore;
    private readonly byte[] _messageBetween;
    private readonly byte[] _messageAfter;
    private byte[] _messagePrefix = [];

    // Where a syslog message's shown text (host app[pid]: body) is put together.
    private byte[] _syslogText = new byte[1024];

    public TextEventFormatter(Strings strings, bool verbose)
    {
        _strings = strings;
        _verbose = verbose;
        _message = strings.Template("MessageLine");
        _messageInTwoParts = _message.TryGetLiterals(0, 1, out _messageBefore, out _messageBetween, out var after);
        _messageAfter = [.. after, .. s_newLine];
        _disconnect = strings.Template("DisconnectLine");
        _connected = strings.Template("ConnectedLine");
        _finished = strings.Template("PeerFinishedLine");
    }

    public bool Write(ServerEvent serverEvent, IBufferWriter<byte> output)
    {
        switch (serverEvent)
        {
            case ReceivedMessage message:
                WriteMessageLine(message.Connection.Address, message.Syslog is { } syslog ? SyslogText(syslog) : message.Text, output);
                return true;
            case ClientDisconnected disconnected:
                if (_verbose && disconnected.Reason == TcpMsgErrorCode.PeerClosed)
                {
                    _finished.Write(output, disconnected, static (o, e, slot) =>
                        WriteText(o, slot == 0 ? e.Connection.EndPoint : e.BytesReceived.ToString(CultureInfo.InvariantCulture)));
                    output.Write(s_newLine);
                }

                _disconnect.Write(output, disconnected.Connection.EndPoint, static (o, peer, _) => WriteText(o, peer));
                output.Write(s_newLine);
                if (_verbose)
                {
                    WriteText(output, _strings.Format(
                        "ClosedLine",
                        disconnected.Connection.EndPoint,
                        ReasonText(disconnected.Reason),
                        disconnected.BytesReceived,
                        disconnected.MessagesReceived,
                        Units.Duration(disconnected.Duration)));
                    output.Write(s_newLine);
                }

                return true;
            case ClientConnected connected when _verbose:
                _connected.Write(output, connected.Connection.EndPoint, static (o, peer, _) => WriteText(o, peer));
                output.Write(s_newLine);
                WriteSecurityLines(connected.Connection, output);
                return true;
            case ChatMemberEvent chat:
                WriteText(output, !chat.IsRename
                    ? _strings.Format("ChatJoinedLine", chat.Connection.EndPoint, TerminalText.Escape(chat.Name))
                    : _strings.Format("ChatRenamedLine", TerminalText.Escape(chat.PreviousName ?? chat.Connection.EndPoint), TerminalText.Escape(chat.Name)));
                output.Write(s_newLine);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Writes a received message's line from its UTF-8 text, as it came: no string is made.</summary>
    public bool Write(in ReceivedMessageView message, IBufferWriter<byte> output)
    {
        WriteMessageLine(message.Connection.Address, message.TryGetSyslog(out var syslog) ? SyslogText(syslog) : message.Utf8Text, output);
        return true;
    }

    /// <summary>A syslog message's text as the line shows it: <c>host app[pid]: body</c>, each part only when sent.</summary>
    public static string SyslogText(SyslogInfo syslog)
    {
        var text = new StringBuilder();
        if (syslog.Host is { } host)
        {
            text.Append(host).Append(' ');
        }

        if (syslog.App is { } app)
        {
            text.Append(app);
            if (syslog.ProcId is { } pid)
            {
                text.Append('[').Append(pid).Append(']');
            }

            text.Append(": ");
        }

        return text.Append(syslog.Body).ToString();
    }

    /// <summary>The same from the fields in place, into a buffer this formatter reuses.</summary>
    private ReadOnlySpan<byte> SyslogText(in SyslogView syslog)
    {
        var length = syslog.Host.Length + 1 + syslog.App.Length + syslog.ProcId.Length + 4 + syslog.Body.Length;
        if (_syslogText.Length < length)
        {
            _syslogText = new byte[Math.Max(length, _syslogText.Length * 2)];
        }

        var at = 0;
        void Put(ReadOnlySpan<byte> part, Span<byte> target)
        {
            part.CopyTo(target[at..]);
            at += part.Length;
        }

        var buffer = _syslogText.AsSpan();
        if (!syslog.Host.IsEmpty)
        {
            Put(syslog.Host, buffer);
            Put(" "u8, buffer);
        }

        if (!syslog.App.IsEmpty)
        {
            Put(syslog.App, buffer);
            if (!syslog.ProcId.IsEmpty)
            {
                Put("["u8, buffer);
                Put(syslog.ProcId, buffer);
                Put("]"u8, buffer);
            }

            Put(": "u8, buffer);
        }

        Put(syslog.Body, buffer);
        return buffer[..at];
    }

    /// <summary>Writes one message line from UTF-8 text: the peer's address, the localized separator, the escaped text.</summary>
    public void WriteMessageLine(string address, ReadOnlySpan<byte> utf8Text, IBufferWriter<byte> output)
    {
        var addressUtf8 = AddressUtf8(address);
        if (_messageInTwoParts && !TerminalText.NeedsEscaping(utf8Text))
        {
            var prefix = _messagePrefix;
            var length = prefix.Length + utf8Text.Length + _messageAfter.Length;
            var span = output.GetSpan(length);
            prefix.CopyTo(span);
            utf8Text.CopyTo(span[prefix.Length..]);
            _messageAfter.CopyTo(span[(prefix.Length + utf8Text.Length)..]);
            output.Advance(length);
            return;
        }

        var slots = new MessageSlots(addressUtf8, utf8Text);
        _message.Write(output, ref slots);
        output.Write(s_newLine);
    }

    /// <summary>Writes one message line: the peer's address, the localized separator, the escaped text.</summary>
    public void WriteMessageLine(string address, string text, IBufferWriter<byte> output)
    {
        AddressUtf8(address);

        _message.Write(output, (address: _addressUtf8, text), static (o, state, slot) =>
        {
            if (slot == 0)
            {
                o.Write(state.address);
            }
            else
            {
                TerminalText.WriteEscaped(o, state.text);
            }
        });
        output.Write(s_newLine);
    }

    /// <summary>The stderr line for an error event.</summary>
    public string ErrorLine(ConnectionError error)
    {
        var peer = error.Connection.EndPoint;
        return error.Code switch
        {
            TcpMsgErrorCode.MessageTooLarge => _strings.Format("Error_MessageTooLarge", peer, Units.Bytes(error.Limit)),
            TcpMsgErrorCode.InvalidUtf8 => _strings.Format("Error_InvalidUtf8", peer, error.Value),
            TcpMsgErrorCode.IdleTimeout => _strings.Format("Error_IdleTimeout", peer, Units.Duration(TimeSpan.FromMilliseconds(error.Limit))),
            TcpMsgErrorCode.ConnectionLimit when error.Value > 1 => _strings.Format("Error_ConnectionLimitMany", error.Value, peer),
            TcpMsgErrorCode.ConnectionLimit => _strings.Format("Error_ConnectionLimit", peer, error.Limit),
            TcpMsgErrorCode.IncompleteMessage => _strings.Format("Error_IncompleteMessage", peer, error.Value),
            TcpMsgErrorCode.ProtocolError => _strings.Format("Error_ProtocolError", peer, error.Detail),
            TcpMsgErrorCode.AccessDenied or TcpMsgErrorCode.AddressConnectionLimit => _strings.Format("Error_Refused", peer, TerminalText.Escape(error.Detail)),
            TcpMsgErrorCode.TlsHandshakeFailed => _strings.Format("Error_TlsHandshake", peer, TerminalText.Escape(error.Detail)),
            TcpMsgErrorCode.HandshakeTimeout => _strings.Format("Error_HandshakeTimeout", peer, TerminalText.Escape(error.Detail)),
            TcpMsgErrorCode.ProxyProtocolError => _strings.Format("Error_ProxyProtocol", peer, TerminalText.Escape(error.Detail)),
            TcpMsgErrorCode.MessageTimeout => _strings.Format("Error_MessageTimeout", peer, Units.Duration(TimeSpan.FromMilliseconds(error.Limit))),
            TcpMsgErrorCode.Unauthorized => _strings.Format("Error_Unauthorized", peer, TerminalText.Escape(error.Detail)),
            TcpMsgErrorCode.PlainRefused => _strings.Format("Error_PlainRefused", peer),
            TcpMsgErrorCode.LifetimeExceeded => _strings.Format("Error_Lifetime", peer, Units.Duration(TimeSpan.FromMilliseconds(error.Limit))),
            TcpMsgErrorCode.SlowConsumer => _strings.Format("Error_SlowConsumer", peer, error.Detail),
            _ => _strings.Format("Error_Internal", peer, error.Detail),
        };
    }

    /// <summary>Why a connection ended, for the verbose close line; each reason names its resource key in full.</summary>
    public string ReasonText(TcpMsgErrorCode reason) => _strings.Get(reason switch
    {
        TcpMsgErrorCode.PeerClosed => "Reason_PeerClosed",
        TcpMsgErrorCode.PeerReset => "Reason_PeerReset",
        TcpMsgErrorCode.IdleTimeout => "Reason_IdleTimeout",
        TcpMsgErrorCode.MessageTooLarge => "Reason_MessageTooLarge",
        TcpMsgErrorCode.ProtocolError => "Reason_ProtocolError",
        TcpMsgErrorCode.ServerShutdown => "Reason_ServerShutdown",
        TcpMsgErrorCode.ConnectionLimit => "Reason_ConnectionLimit",
        TcpMsgErrorCode.MessageTimeout => "Reason_MessageTimeout",
        TcpMsgErrorCode.LifetimeExceeded => "Reason_LifetimeExceeded",
        TcpMsgErrorCode.HandshakeTimeout => "Reason_HandshakeTimeout",
        TcpMsgErrorCode.Unauthorized => "Reason_Unauthorized",
        TcpMsgErrorCode.SlowConsumer => "Reason_SlowConsumer",
        TcpMsgErrorCode.StoreFailed => "Reason_StoreFailed",
        TcpMsgErrorCode.ClientIdInUse => "Reason_ClientIdInUse",

        // Aborted, and any code the server does not end a connection with.
        _ => "Reason_Aborted",
    });

    /// <summary>With verbose: how the connection is protected (TLS, client certificate) and who relayed it.</summary>
    private void WriteSecurityLines(ConnectionInfo connection, IBufferWriter<byte> output)
    {
        if (connection.ProxyEndPoint is { } proxy)
        {
            WriteText(output, _strings.Format("ProxiedLine", connection.EndPoint, ConnectionInfo.FormatEndPoint(proxy)));
            output.Write(s_newLine);
        }

        if (connection.TlsProtocol is { } protocol)
        {
            var subject = connection.ClientCertificateSubject;
            WriteText(output, subject is null
                ? _strings.Format("TlsLine", connection.EndPoint, protocol)
                : _strings.Format("TlsClientLine", connection.EndPoint, protocol, TerminalText.Escape(subject)));
            output.Write(s_newLine);
        }
    }

    private static void WriteText(IBufferWriter<byte> output, string text) => TerminalText.WriteUtf8(output, text);

    /// <summary>The sender address's UTF-8 bytes, kept for the next line: most lines in a row come from the same address.</summary>
    private byte[] AddressUtf8(string address)
    {
        if (!ReferenceEquals(address, _address) && !string.Equals(address, _address, StringComparison.Ordinal))
        {
            _address = address;
            _addressUtf8 = Encoding.UTF8.GetBytes(address);
            _messagePrefix = [.. _messageBefore, .. _addressUtf8, .. _messageBetween];
        }

        return _addressUtf8;
    }

    /// <summary>A message line's slots: the address as it is, the text escaped.</summary>
    private readonly ref struct MessageSlots : ISlotWriter
    {
        private readonly ReadOnlySpan<byte> _address;
        private readonly ReadOnlySpan<byte> _text;

        public MessageSlots(ReadOnlySpan<byte> address, ReadOnlySpan<byte> text)
        {
            _address = address;
            _text = text;
        }

        public void Write(IBufferWriter<byte> output, int slot)
        {
            if (slot == 0)
            {
                output.Write(_address);
            }
            else
            {
                TerminalText.WriteEscaped(output, _text);
            }
        }
    }
}
