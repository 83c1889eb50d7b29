/**
 * A RabbitMQ virtual host of a test's own on the shared broker, for services run with the names
 * and credentials compose gives them (queue `messages`, user `demo`): nothing they declare can
 * meet another test's queues, and deleting the vhost deletes all of it.
 */
import { rabbitmqctl } from "./amqp.ts";

/** The user a test's services log in as. */
export interface BrokerCredentials {
  user: string;
  password: string;
}

/** A vhost on the local broker, with `credentials` allowed everything in it. */
export class TestVhost {
  readonly name: string;
  readonly #credentials: BrokerCredentials;

  private constructor(name: string, credentials: BrokerCredentials) {
    this.name = name;
    this.#credentials = credentials;
  }

  /**
   * Creates the vhost and, when missing, the user; fails clearly when the user exists with
   * another password (the broker is shared: it is not changed).
   */
  static async create(credentials: BrokerCredentials): Promise<TestVhost> {
    const users = await rabbitmqctl(["-q", "list_users", "--no-table-headers"]);
    const exists = users.split("\n").some((line) => line.split("\t")[0] === credentials.user);
    if (!exists) await rabbitmqctl(["-q", "add_user", credentials.user, credentials.password]);
    else {
      await rabbitmqctl(["-q", "authenticate_user", credentials.user, credentials.password])
        .catch((error) => {
          throw new Error(
            `RabbitMQ user "${credentials.user}" exists with another password than the test's`,
            { cause: error },
          );
        });
    }
    const name = `test.${crypto.randomUUID().slice(0, 8)}`;
    await rabbitmqctl(["-q", "add_vhost", name]);
    await rabbitmqctl(["-q", "set_permissions", "-p", name, credentials.user, ".*", ".*", ".*"]);
    return new TestVhost(name, credentials);
  }

  /** `amqp://user:password@127.0.0.1:5672/<vhost>`. */
  url(credentials: BrokerCredentials = this.#credentials): string {
    const user = encodeURIComponent(credentials.user);
    const password = encodeURIComponent(credentials.password);
    return `amqp://${user}:${password}@127.0.0.1:5672/${encodeURIComponent(this.name)}`;
  }

  /** Deletes the vhost with everything in it. */
  async delete(): Promise<void> {
    await rabbitmqctl(["-q", "delete_vhost", this.name]);
  }
}
