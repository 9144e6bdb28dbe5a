/**
 * Editing one notification template: the texts of each channel on the left, their live preview on the right
 * (the server's own rendering with the type's sample values, POST …/{type}/preview/, nothing stored). A field the
 * server would refuse shows its line error under it while typing; saving is pessimistic, and a refused save puts
 * the server's line error under the field (react-admin's server-side validation).
 */
import { useEffect, useRef, useState } from 'react';
import { Alert, Box, Card, CardContent, Chip, Grid, Stack, Typography } from '@mui/material';
import {
  BooleanInput,
  Edit,
  FormDataConsumer,
  SaveButton,
  SimpleForm,
  TextInput,
  Toolbar,
  useRecordContext,
  type RaRecord,
} from 'react-admin';
import { apiPost } from '../../api';
import { CANAUX, CATEGORIES } from './labels';

const FIELDS = ['titre_push', 'contenu_push', 'sujet_email', 'contenu_email', 'contenu_sms'] as const;
type Field = (typeof FIELDS)[number];
type Texts = Partial<Record<Field, string>>;

export interface Preview {
  email: { sujet: string; texte: string; html: string } | null;
  push: { titre: string; corps: string } | null;
  sms: { texte: string; segments: number; encodage: string; caracteres: number } | null;
  secours: Record<string, string>;
  erreurs: Partial<Record<Field, string[]>>;
}

/** The preview of the texts being typed: asked 300 ms after the last keystroke; a late answer never overwrites a newer one. */
function usePreview(type: string | undefined, texts: Texts) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const seq = useRef(0);
  const key = JSON.stringify(texts);
  useEffect(() => {
    if (!type) return;
    const n = ++seq.current;
    const timer = setTimeout(() => {
      apiPost<Preview>(`/notification-templates/${type}/preview/`, JSON.parse(key)).then(
        (p) => {
          if (n !== seq.current) return;
          setPreview(p);
          setFailure(null);
        },
        (e: unknown) => n === seq.current && setFailure(e instanceof Error ? e.message : String(e)),
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [type, key]);
  return { preview, failure };
}

function Panel({ title, children }: { title: string; children: React.ReactNode }) {
  const id = `apercu-${title.replace(/\W+/g, '-')}`;
  return (
    <Card variant="outlined" component="section" aria-labelledby={id} sx={{ mb: 2 }}>
      <CardContent>
        <Typography id={id} variant="subtitle1" component="h3" gutterBottom>
          {title}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}

const Fallback = ({ why }: { why?: string | undefined }) =>
  why ? (
    <Alert severity="warning" sx={{ mb: 1 }}>
      Le texte par défaut serait envoyé : {why}.
    </Alert>
  ) : null;

const Refused = ({ errors }: { errors: (string[] | undefined)[] }) => {
  const all = errors.flatMap((e) => e ?? []);
  return all.length ? (
    <Alert severity="error" role="alert">
      {all.join(' ')}
    </Alert>
  ) : null;
};

function PreviewPanels({ preview, failure }: { preview: Preview | null; failure: string | null }) {
  if (failure) return <Alert severity="error">Aperçu impossible : {failure}</Alert>;
  if (!preview) return <Typography variant="body2">Aperçu en cours…</Typography>;
  const { email, push, sms, secours, erreurs } = preview;
  return (
    <>
      <Panel title="Aperçu de l’e-mail">
        <Refused errors={[erreurs.sujet_email, erreurs.contenu_email]} />
        <Fallback why={secours.EMAIL} />
        {email ? (
          <>
            <Typography variant="body2" gutterBottom>
              <strong>Sujet :</strong> <span data-apercu="sujet">{email.sujet}</span>
            </Typography>
            {/* sandbox="" : no script, no form, no navigation from the message; srcdoc: nothing is fetched. */}
            <Box
              component="iframe"
              title="Aperçu HTML de l’e-mail"
              sandbox=""
              srcDoc={email.html}
              sx={{ width: '100%', height: 220, border: 1, borderColor: 'divider', bgcolor: '#fff' }}
            />
            <Typography variant="caption" component="p" sx={{ mt: 1 }}>
              Partie texte
            </Typography>
            <Box component="pre" data-apercu="email-texte" sx={{ whiteSpace: 'pre-wrap', m: 0, fontFamily: 'inherit', fontSize: 14 }}>
              {email.texte}
            </Box>
          </>
        ) : (
          !erreurs.sujet_email && !erreurs.contenu_email && <Typography variant="body2">Ce type n’envoie pas d’e-mail.</Typography>
        )}
      </Panel>
      <Panel title="Aperçu de la notification push">
        <Refused errors={[erreurs.titre_push, erreurs.contenu_push]} />
        <Fallback why={secours.PUSH} />
        {push ? (
          <Box sx={{ p: 1.5, borderRadius: 2, bgcolor: 'action.hover' }}>
            <Typography variant="body2" fontWeight="bold" data-apercu="push-titre">
              {push.titre}
            </Typography>
            <Typography variant="body2" data-apercu="push-corps">
              {push.corps}
            </Typography>
          </Box>
        ) : (
          !erreurs.titre_push &&
          !erreurs.contenu_push && <Typography variant="body2">Ce type n’envoie pas de notification push.</Typography>
        )}
      </Panel>
      <Panel title="Aperçu du SMS">
        <Refused errors={[erreurs.contenu_sms]} />
        <Fallback why={secours.SMS} />
        {sms ? (
          <>
            <Box sx={{ p: 1.5, borderRadius: 2, bgcolor: 'action.hover', whiteSpace: 'pre-wrap' }} data-apercu="sms">
              {sms.texte}
            </Box>
            <Typography variant="body2" sx={{ mt: 1 }} data-apercu="sms-segments">
              {sms.segments} segment{sms.segments > 1 ? 's' : ''} · {sms.encodage} · {sms.caracteres} caractères
              {sms.segments > 1 ? ' (chaque segment est facturé)' : ''}
            </Typography>
          </>
        ) : (
          !erreurs.contenu_sms && <Typography variant="body2">Ce type n’envoie pas de SMS.</Typography>
        )}
      </Panel>
    </>
  );
}

function TemplateFields({ texts }: { texts: Texts }) {
  const record = useRecordContext();
  const { preview, failure } = usePreview(record?.type_notification, texts);
  const live = (f: Field) => preview?.erreurs[f]?.join(' ');
  const input = (f: Field, rows?: number, helper?: string) => (
    <TextInput
      source={f}
      fullWidth
      multiline={rows !== undefined}
      minRows={rows}
      helperText={
        live(f) ? (
          <Box component="span" role="alert" sx={{ color: 'error.main' }}>
            {live(f)}
          </Box>
        ) : (
          (helper ?? false)
        )
      }
    />
  );
  return (
    <Grid container spacing={3} sx={{ width: '100%' }}>
      <Grid size={{ xs: 12, md: 6 }}>
        <Typography variant="body2" gutterBottom>
          Variables de ce type (valeurs d’exemple dans l’aperçu) :
        </Typography>
        <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 0.5, mb: 2 }}>
          {(record?.variables as string[] | undefined)?.map((v) => (
            <Chip key={v} size="small" variant="outlined" label={`{{ ${v} }}`} />
          ))}
        </Stack>
        <Typography variant="body2" sx={{ mb: 2 }}>
          Conditions : {'{{ si motif }}'}…{'{{ sinon }}'}…{'{{ fin }}'}. Rien d’autre n’est interprété ; les valeurs sont échappées dans
          l’e-mail HTML.
        </Typography>
        <BooleanInput source="actif" helperText="Désactivé : le texte par défaut livré avec SpotVibe est envoyé" />
        {input('sujet_email')}
        {input('contenu_email', 8)}
        {input('titre_push')}
        {input('contenu_push', 2)}
        {input('contenu_sms', 3, 'Au-delà de 160 caractères GSM-7 (70 avec des caractères spéciaux), le SMS part en plusieurs segments')}
      </Grid>
      <Grid size={{ xs: 12, md: 6 }}>
        <PreviewPanels preview={preview} failure={failure} />
      </Grid>
    </Grid>
  );
}

const Title = () => {
  const r = useRecordContext();
  return <span>Modèle {r?.type_notification}</span>;
};

function Header() {
  const r = useRecordContext();
  if (!r) return null;
  return (
    <Box sx={{ px: 2, pt: 2 }}>
      <Typography variant="h6" component="h2">
        {r.type_notification}
      </Typography>
      <Typography variant="body2">{r.description}</Typography>
      <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
        <Chip size="small" label={CATEGORIES[r.categorie] ?? r.categorie} />
        {r.critique && <Chip size="small" color="warning" label="Critique : envoyé même aux heures calmes" />}
        {(r.canaux_par_defaut as string[]).map((c) => (
          <Chip key={c} size="small" variant="outlined" label={CANAUX[c] ?? c} />
        ))}
      </Stack>
    </Box>
  );
}

export default function TemplateEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect={false} title={<Title />}>
      <Header />
      {/* Save only: a template is never deleted (one per type); "Modèle actif" off sends the seeded text. */}
      <SimpleForm
        toolbar={
          <Toolbar>
            <SaveButton />
          </Toolbar>
        }
      >
        <FormDataConsumer>
          {({ formData }: { formData: RaRecord }) => (
            <TemplateFields texts={Object.fromEntries(FIELDS.map((f) => [f, (formData[f] as string | undefined) ?? '']))} />
          )}
        </FormDataConsumer>
      </SimpleForm>
    </Edit>
  );
}
