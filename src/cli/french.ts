/**
 * The CLI speaks French, its help and its errors included: Commander writes its own texts in English
 * ("Usage:", "display help for command", "error: unknown command"), translated here once for every command.
 */
import { Help, type Command } from 'commander';

const HELP_WORDS: [RegExp, string][] = [
  [/^Usage:/gm, 'Utilisation :'],
  [/^Options:/gm, 'Options :'],
  [/^Commands:/gm, 'Commandes :'],
  [/^Arguments:/gm, 'Arguments :'],
  [/\[command\]/g, '[commande]'],
  [/\(default: ([^)]*)\)/g, '(défaut : $1)'],
  [/\(choices: ([^)]*)\)/g, '(choix : $1)'],
];

const ERRORS: [RegExp, string][] = [
  [/^error: unknown command '([^']*)'/m, 'erreur : commande inconnue « $1 »'],
  [/^error: unknown option '([^']*)'/m, 'erreur : option inconnue « $1 »'],
  [/^error: missing required argument '([^']*)'/m, 'erreur : argument obligatoire manquant « $1 »'],
  [/^error: option '([^']*)' argument missing/m, "erreur : l'option « $1 » attend une valeur"],
  [/^error: required option '([^']*)' not specified/m, 'erreur : option obligatoire « $1 » absente'],
  [
    /^error: too many arguments(?: for '([^']*)')?\. Expected (\d+) arguments? but got (\d+)\./m,
    "erreur : trop d'arguments ($3 au lieu de $2)",
  ],
  [/\(Did you mean ([^?]*)\?\)/g, '(Vouliez-vous dire $1 ?)'],
  [/^error: /m, 'erreur : '],
];

export function translate(text: string, table: [RegExp, string][]): string {
  return table.reduce((t, [re, fr]) => t.replace(re, fr), text);
}

/** Applies French help and error texts to a program; call before adding its commands (they inherit it). */
export function inFrench(program: Command): Command {
  return program
    .helpOption('-h, --help', "affiche l'aide de la commande")
    .helpCommand('help [commande]', "affiche l'aide d'une commande")
    .configureHelp({
      formatHelp: (cmd, helper) => translate(Help.prototype.formatHelp.call(helper, cmd, helper), HELP_WORDS),
    })
    .configureOutput({ outputError: (str, write) => write(translate(str, ERRORS)) })
    .showHelpAfterError("(ajoutez --help pour l'aide)");
}
