import { BooleanInput, NumberInput, SimpleForm, TextInput, maxLength, regex, required } from 'react-admin';

export function CategoryForm() {
  return (
    <SimpleForm>
      <TextInput source="nom" validate={[required(), maxLength(100)]} />
      <TextInput
        source="slug"
        helperText="Lettres minuscules, chiffres et tirets ; déduit du nom s’il est laissé vide"
        validate={[regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Lettres minuscules sans accents, chiffres et tirets seulement'), maxLength(100)]}
      />
      <TextInput source="description" multiline minRows={2} validate={maxLength(2000)} />
      <TextInput source="icone" validate={maxLength(50)} />
      <TextInput source="couleur" helperText="#rrggbb" validate={regex(/^#[0-9a-fA-F]{6}$/, 'Couleur au format #rrggbb')} />
      <NumberInput source="ordre" min={0} />
      <BooleanInput source="actif" helperText="Une catégorie désactivée n’est plus proposée aux organisateurs" />
    </SimpleForm>
  );
}
