# The tutorial's client (../shared/seed), unchanged but for the address, which the test passes in.
import socket
import sys

Client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
Client_address = ((sys.argv[1], int(sys.argv[2])))
Client.connect(Client_address)

# 发送文字信息
Client.send('你好,世界!!!'.encode('utf-8'))
# 断开字节流
Client.close()
