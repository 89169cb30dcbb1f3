/**
 * The chat history of one workspace: a list of conversations, each in its own JSON file, so a long
 * history is not rewritten on every answer. Lost chat history is a top complaint about peers' chats
 * (cline#6564, claude-code#12908): files are written whole to a temporary name and renamed into place,
 * and a file that does not parse is skipped and reported, never allowed to take the others with it.
 */
import * as nodeFs from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { settleInterrupted } from './conversation';
import { conversationSchema, type Conversation, type ConversationSummary } from './types';

/** Conversations kept per workspace; saving one more drops the least recently updated. */
export const MAX_CONVERSATIONS = 100;
const INDEX = 'index.json';

const indexSchema = z.object({
  version: z.literal(1),
  conversations: z.array(z.object({ id: z.string(), title: z.string(), updatedAt: z.number(), messages: z.number() })),
});

/** Named texts in one folder; a missing name reads as undefined. */
export interface ChatStorage {
  read(name: string): Promise<string | undefined>;
  write(name: string, text: string): Promise<void>;
  remove(name: string): Promise<void>;
}

export class ChatStore {
  /** Writes run one after another, so an index is never written from a stale read. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly storage: ChatStorage,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /** Newest first. */
  async list(): Promise<ConversationSummary[]> {
    await this.queue.catch(() => undefined);
    return this.readIndex();
  }

  async load(id: string): Promise<Conversation | undefined> {
    if (!isId(id)) return undefined;
    const text = await this.storage.read(fileOf(id));
    if (text === undefined) return undefined;
    const parsed = conversationSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      this.log(`chat: conversation ${id} is unreadable and was skipped: ${parsed.error.issues[0]?.message ?? ''}`);
      return undefined;
    }
    settleInterrupted(parsed.data);
    return parsed.data;
  }

  save(conversation: Conversation): Promise<void> {
    return this.serially(async () => {
      if (!isId(conversation.id)) throw new Error(`not a conversation id: ${conversation.id}`);
      await this.storage.write(fileOf(conversation.id), JSON.stringify(conversation));
      const summary = { id: conversation.id, title: conversation.title, updatedAt: conversation.updatedAt, messages: conversation.messages.length };
      const index = [summary, ...(await this.readIndex()).filter((c) => c.id !== conversation.id)].sort((a, b) => b.updatedAt - a.updatedAt);
      const dropped = index.splice(MAX_CONVERSATIONS);
      await this.writeIndex(index);
      for (const old of dropped) await this.storage.remove(fileOf(old.id));
    });
  }

  remove(id: string): Promise<void> {
    return this.serially(async () => {
      await this.writeIndex((await this.readIndex()).filter((c) => c.id !== id));
      if (isId(id)) await this.storage.remove(fileOf(id));
    });
  }

  private async readIndex(): Promise<ConversationSummary[]> {
    const text = await this.storage.read(INDEX);
    if (text === undefined) return [];
    const parsed = indexSchema.safeParse(safeJson(text));
    if (parsed.success) return parsed.data.conversations;
    this.log('chat: the history index is unreadable; starting a new one (conversation files are kept)');
    return [];
  }

  private writeIndex(conversations: ConversationSummary[]): Promise<void> {
    return this.storage.write(INDEX, JSON.stringify({ version: 1, conversations }));
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.catch(() => undefined).then(work);
    this.queue = next;
    return next;
  }
}

/** Ids become file names: only these characters, so no id can name a path outside the folder. */
function isId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(id);
}

function fileOf(id: string): string {
  return `${id}.json`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A folder on disk as ChatStorage (the editor passes its per-workspace storage folder). */
export function folderChatStorage(dir: string, fs: Pick<typeof nodeFs, 'readFile' | 'writeFile' | 'rename' | 'rm' | 'mkdir'> = nodeFs): ChatStorage {
  return {
    read: (name) => fs.readFile(path.join(dir, name), 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error))),
    write: async (name, text) => {
      await fs.mkdir(dir, { recursive: true });
      const temp = path.join(dir, `.${name}.${process.pid}.tmp`);
      await fs.writeFile(temp, text, 'utf8');
      await fs.rename(temp, path.join(dir, name));
    },
    remove: (name) => fs.rm(path.join(dir, name), { force: true }),
  };
}

/** In memory, for tests and windows without a folder to keep history in. */
export function memoryChatStorage(files = new Map<string, string>()): ChatStorage {
  return {
    read: (name) => Promise.resolve(files.get(name)),
    write: (name, text) => {
      files.set(name, text);
      return Promise.resolve();
    },
    remove: (name) => {
      files.delete(name);
      return Promise.resolve();
    },
  };
}
