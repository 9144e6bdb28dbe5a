import {
  BooleanInput,
  NumberInput,
  SaveButton,
  SimpleForm,
  TextInput,
  Toolbar,
  maxLength,
  maxValue,
  minValue,
  regex,
  required,
} from 'react-admin';

/**
 * A plan's fields; `code` only when creating (it names the plan in payments and the free plan is `gratuit`).
 * Save only: a plan is deactivated from the list, after a confirmation, never deleted from here.
 */
export function PlanForm({ create = false }: { create?: boolean }) {
  return (
    <SimpleForm
      toolbar={
        <Toolbar>
          <SaveButton />
        </Toolbar>
      }
    >
      {create && (
        <TextInput
          source="code"
          helperText="Lettres minuscules, chiffres et tirets ; ne change plus ensuite"
          validate={[required(), regex(/^[a-z0-9-]{2,40}$/, 'De 2 à 40 lettres minuscules, chiffres ou tirets')]}
        />
      )}
      <TextInput source="nom" validate={[required(), maxLength(100)]} />
      <TextInput source="description" multiline minRows={2} validate={maxLength(2000)} />
      <NumberInput
        source="prix"
        min={0}
        step={100}
        helperText="Francs CFA entiers ; 100 F CFA au moins pour une formule payante"
        validate={[required(), minValue(0), maxValue(10_000_000)]}
      />
      <NumberInput source="duree_jours" min={1} validate={[required(), minValue(1), maxValue(3660)]} />
      <NumberInput source="max_evenements_actifs" min={0} helperText="Vide : illimité" validate={minValue(0)} />
      <NumberInput source="max_types_billet_par_evenement" min={1} helperText="Vide : illimité" validate={minValue(1)} />
      <NumberInput source="commission_pourcentage" min={0} max={100} step={0.5} validate={[minValue(0), maxValue(100)]} />
      <BooleanInput source="evenements_payants" />
      <BooleanInput source="mise_en_avant" />
      <BooleanInput source="statistiques_avancees" />
      <BooleanInput source="messages_participants" />
      <NumberInput source="ordre" min={0} validate={[minValue(0), maxValue(1000)]} />
    </SimpleForm>
  );
}
