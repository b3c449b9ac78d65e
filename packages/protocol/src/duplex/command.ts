// COMMAND and COMMAND-RESULT on the TCP stream (either direction; requestId = command id).
import { type BodyCodec, checkU32, firstError, isFail, short } from "../fields.js";
import { type CommandStatus, commandStatus, type DuplexCommand, duplexCommand } from "./enums.js";
import { checkPayload, type Payload, readPayload, writePayload } from "./payload.js";

export interface CommandBody {
  command: DuplexCommand;
  /** Arguments, JSON schema 1 (e.g. {"addr":"10.0.0.5","mode":"serial"} for pduCutTest). */
  args: Payload;
}

// COMMAND body:
//  off size field
//    0    1 command  1 restart standby, 2 shutdown, 3 copy configuration, 4 reload,
//                    5 PDU cut test of a management server, 6 collect logs (haconndump)
//    1  7+n args     payload
export const commandCodec: BodyCodec<CommandBody> = {
  name: "COMMAND",
  validate: (b) => firstError(duplexCommand.check(b.command), checkPayload(b.args, "args")),
  write(w, b) {
    w.u8(duplexCommand.toWire(b.command));
    writePayload(w, b.args);
  },
  read(r) {
    const commandWire = r.u8();
    if (commandWire === undefined) return short("COMMAND");
    const command = duplexCommand.fromWire(commandWire);
    if (isFail(command)) return command;
    const args = readPayload(r);
    if (isFail(args)) return args;
    return { command, args };
  },
};

export interface CommandResultBody {
  command: DuplexCommand;
  status: CommandStatus;
  /** 0 for the first result frame of a command, +1 per further frame (partial data chunks). */
  chunk: number;
  /** JSON outcome ({"code":...,"message":...}) or octets (a log archive chunk). */
  data: Payload;
}

// COMMAND-RESULT body (requestId = the COMMAND's requestId):
//  off size field
//    0    1 command  as in COMMAND
//    1    1 status   1 accepted, 2 partial (a data chunk; more follow), 3 done, 4 failed,
//                    5 rejected (unknown command or not allowed in this role)
//    2    4 chunk    0..2^32-1
//    6  7+n data     payload
export const commandResultCodec: BodyCodec<CommandResultBody> = {
  name: "COMMAND-RESULT",
  validate: (b) =>
    firstError(
      duplexCommand.check(b.command),
      commandStatus.check(b.status),
      checkU32(b.chunk, "chunk"),
      checkPayload(b.data, "data"),
    ),
  write(w, b) {
    w.u8(duplexCommand.toWire(b.command)).u8(commandStatus.toWire(b.status)).u32(b.chunk);
    writePayload(w, b.data);
  },
  read(r) {
    const commandWire = r.u8();
    const statusWire = r.u8();
    const chunk = r.u32();
    if (commandWire === undefined || statusWire === undefined || chunk === undefined) {
      return short("COMMAND-RESULT");
    }
    const command = duplexCommand.fromWire(commandWire);
    if (isFail(command)) return command;
    const status = commandStatus.fromWire(statusWire);
    if (isFail(status)) return status;
    const data = readPayload(r);
    if (isFail(data)) return data;
    return { command, status, chunk, data };
  },
};
