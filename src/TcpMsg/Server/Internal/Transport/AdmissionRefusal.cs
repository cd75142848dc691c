namespace TcpMsg.Server.Internal.Transport;

/// <summary>Why the <see cref="AdmissionGate"/> refused a peer: the code and words of its report, and the limit it hit (0: none).</summary>
internal readonly record struct AdmissionRefusal(TcpMsgErrorCode Code, string Reason, long Limit);
