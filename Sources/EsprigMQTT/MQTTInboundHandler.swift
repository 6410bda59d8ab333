import NIOCore
import NIOTLS

/// Decodes MQTT packets from the decrypted stream and reports the connection's life to the state.
final class MQTTInboundHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let state: ConnectionState
    private var buffer: [UInt8] = []

    init(state: ConnectionState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        buffer += unwrapInboundIn(data).readableBytesView
        do {
            while let (packet, length) = try MQTTPacket.decode(buffer[...]) {
                buffer.removeFirst(length)
                state.post(.packet(packet))
            }
        } catch {
            state.post(.failed(error))
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { state.post(.handshakeCompleted) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        state.post(.failed(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.post(.closed)
        context.fireChannelInactive()
    }
}
