# The tutorial's server (../shared/seed), unchanged but for the address, which the test passes in,
# and for serving a single client so that the test can wait for it to finish.
import socket
import sys

Server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
Server.bind((sys.argv[1], int(sys.argv[2])))

Server.listen(5)

socket, addr_info = Server.accept()
data_info = socket.recv(1024).decode('utf-8')
print(f'{addr_info[0]}' + '发来消息>>>' + f'{data_info}')

socket.close()
print(f'{addr_info}' + "断开了与服务器的连接...")
